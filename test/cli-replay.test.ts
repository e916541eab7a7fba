// `tradeflow replay` through the real CLI: the backtest's trades, plain lines when stdout is a pipe, bad --speed values.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../src/report/result.ts';
import { type CliRun, runCli } from './helpers.ts';

// `tradeflow replay` through the real CLI (bin/tradeflow.mjs as a child process): all runs start together
// in beforeAll and the tests read their outcomes. stdout is a pipe here, so a replay prints plain lines.

const tmp = mkdtempSync(join(tmpdir(), 'tradeflow-replay-'));
const EXAMPLE = 'config/examples/orcl-sma-cross.json';
// 20 years of daily bars in well under a second of bar schedule: the replay runs as fast as its steps go.
const FAST = '1e10';
const out = (name: string) => ['--no-db', '--out', join(tmp, name)];

let runs: Record<'replayJson' | 'backtestJson' | 'lines' | 'noSpeed', CliRun>;
let bad: CliRun[];
// The parsing itself is unit-tested (speed-option.test.ts); these check that the command uses it.
const BAD_SPEEDS = ['0', '-2', 'fast'];

beforeAll(async () => {
  const [replayJson, backtestJson, lines, noSpeed, ...rest] = await Promise.all([
    runCli(['replay', EXAMPLE, '--speed', FAST, '--json', ...out('replay-json')]),
    runCli(['backtest', EXAMPLE, '--json', ...out('backtest-json')]),
    runCli(['replay', EXAMPLE, '--speed', FAST, ...out('lines')]),
    runCli(['replay', EXAMPLE, ...out('no-speed')]),
    ...BAD_SPEEDS.map((k) => runCli(['replay', EXAMPLE, '--speed', k, ...out('bad')])),
  ]);
  runs = { replayJson, backtestJson, lines, noSpeed };
  bad = rest;
}, 300_000);

describe('tradeflow replay', () => {
  it('gives the trades of the backtest of the same session, as a run of kind replay', () => {
    expect(runs.replayJson.code).toBe(0);
    expect(runs.backtestJson.code).toBe(0);
    const replay = JSON.parse(runs.replayJson.stdout) as BacktestResult;
    const backtest = JSON.parse(runs.backtestJson.stdout) as BacktestResult;
    expect(replay.kind).toBe('replay');
    expect(backtest.kind).toBe('backtest');
    expect(replay.trades.length).toBeGreaterThan(50);
    expect(replay.trades).toEqual(backtest.trades);
    expect(replay.open_positions).toEqual(backtest.open_positions);
    expect(replay.final_value).toBe(backtest.final_value);
    expect([replay.status, replay.bars]).toEqual([backtest.status, backtest.bars]);
  });

  it('prints a line per fill and a status line when stdout is not a terminal, then the Replay summary', () => {
    expect(runs.lines.code).toBe(0);
    const lines = runs.lines.stdout.split('\n');
    const fills = lines.filter((l) => l.startsWith('fill '));
    // One per filled order: two per round trip, one more for the position still open.
    expect(fills).toHaveLength(97 * 2 + 1);
    expect(fills[0]).toMatch(
      /^fill 1995-\d\d-\d\d \d\d:\d\d:\d\d simple_ma_cross ORCL buy 10 @ [\d.]+ commission 0\.00$/,
    );
    const status = lines.filter((l) => l.startsWith('status '));
    expect(status.at(-1)).toBe(
      'status steps 5036 last bar 2014-12-31 21:00:00 equity 100,264.61 | simple_ma_cross stopped 195 signals 0 errors 0 overruns',
    );
    // The plain lines come first, then a blank line and the summary.
    const title = lines.indexOf('Replay orcl-sma-cross');
    expect(title).toBeGreaterThan(lines.indexOf(status.at(-1)!));
    expect(lines[title - 1]).toBe('');
    expect(lines.slice(title)).toContain('  trades          97');
  });

  it('refuses a --speed that is not a number greater than 0, and a missing one', () => {
    bad.forEach((run, i) => {
      expect(run.code, BAD_SPEEDS[i]).toBe(1);
      expect(run.stderr).toContain(
        `error: option '--speed <k>' argument '${BAD_SPEEDS[i]}' is invalid. expected a number greater than 0`,
      );
      expect(run.stdout).toBe('');
    });
    expect(runs.noSpeed.code).toBe(1);
    expect(runs.noSpeed.stderr).toContain("error: required option '--speed <k>' not specified");
  });
});
