// `tradeflow live --resume` refuses, with a coded error and exit code 2, what it cannot go on with.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSessionConfig } from '../../src/config/session-config.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { ROOT, runCli, tempFiles } from '../helpers.ts';

const dir = tempFiles({});
const sessionOf = (fast: number) => {
  const file = join(dir, `s${fast}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      root: ROOT,
      data: [{ symbol: 'FXY', file: 'data/intraday/FXY_1min.csv', format: 'ohlcv', calendar: '24h' }],
      strategies: [
        {
          module: 'strategies/examples/simple_ma_cross',
          config: { symbols: ['FXY'], interval: '1m', fast_period: fast, slow_period: 20 },
        },
      ],
    }),
  );
  return file;
};
const session = sessionOf(5);
const db = join(dir, 'runs.db');

// No feed is reached: every case fails before the run starts (the port is one nothing listens on).
const resume = (id: string, file = session) =>
  runCli(['live', file, '--feed', 'ws://127.0.0.1:9', '--db', db, '--resume', id]);

describe('tradeflow live --resume', () => {
  it('refuses an unknown run, a backtest, a completed run, a run still running and a session that differs', async () => {
    const store = new SqliteStore(db);
    const config = loadSessionConfig(session).config;
    const start = (id: string, kind: 'live' | 'backtest') =>
      store.startRun({ id, name: 's5', kind, config, startedAt: 1 });
    start('bt', 'backtest');
    store.endRun('bt', { status: 'completed', endedAt: 2 });
    start('done', 'live');
    store.endRun('done', { status: 'completed', endedAt: 2 });
    // Owned by this test's process, which is alive: not marked interrupted when the CLI opens the database.
    start('busy', 'live');
    start('stopped', 'live');
    store.endRun('stopped', { status: 'interrupted', endedAt: 2 });
    store.close();

    const runs = await Promise.all([
      resume('nope'),
      resume('bt'),
      resume('done'),
      resume('busy'),
      resume('stopped', sessionOf(7)),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
    expect(runs.map((r) => r.stderr.split('\n')[0])).toEqual([
      expect.stringContaining('TF_ERR_RESUME: no run "nope" in the run database'),
      expect.stringContaining('TF_ERR_RESUME: run "bt" is a backtest run; only a live run resumes'),
      expect.stringContaining('TF_ERR_RESUME: run "done" completed'),
      expect.stringContaining('TF_ERR_RESUME: run "busy" is still running in a live process'),
      expect.stringContaining('strategies[0].config.fast_period: run 5, session 7'),
    ]);
    // Nothing was changed by the refusals.
    const after = new SqliteStore(db);
    expect(after.listRuns().map((r) => [r.id, r.status])).toEqual(
      expect.arrayContaining([
        ['bt', 'completed'],
        ['done', 'completed'],
        ['busy', 'running'],
        ['stopped', 'interrupted'],
      ]),
    );
    after.close();
  }, 60_000);

  it('needs the run database', async () => {
    const r = await runCli(['live', session, '--feed', 'ws://127.0.0.1:9', '--no-db', '--resume', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--resume reads the run from the run database; drop --no-db');
  }, 30_000);
});
