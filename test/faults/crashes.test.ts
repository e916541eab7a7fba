// Crashes leave an honest record: CLI backtests killed with SIGKILL, SIGTERM or SIGHUP at the start, in the
// middle and near the end of a run, then their database checked (status, integrity, orphans, rows kept).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/report/result.ts';
import { ROOT } from '../helpers.ts';

// The napper strategy sleeps 2 ms on each of ORCL's ~5,000 daily bars, so a run lasts 10 s or more, and it
// trades every few bars. Every run has its own database and output folder; the scenarios run side by side
// (the napper sleeps rather than spins) and each test reads one scenario's outcome.

const FIXTURE_ROOT = resolve(import.meta.dirname, 'crashes');
const tmp = mkdtempSync(join(tmpdir(), 'tradeflow-crashes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** How long any wait may take before it counts as a hang: about hangs, not speed. */
const HANG_MS = 90_000;

type Moment = 'start' | 'middle' | 'end';
/** Bars the strategy has seen when the signal is sent, per moment (start: as soon as the run row exists). */
const BARS_AT: Record<Moment, number> = { start: 0, middle: 1500, end: 4000 };

interface Scenario {
  readonly name: string;
  readonly signal: NodeJS.Signals;
  readonly moment: Moment;
}

interface Outcome {
  readonly scenario: Scenario;
  readonly db: string;
  readonly out: string;
  readonly pid: number;
  readonly code: number | null;
  readonly stderr: string;
  /** The run's status as the database held it right after the process ended, before any other command. */
  readonly statusAtExit: string | undefined;
  /** The run's status while it was still running, after another command had opened the database. */
  readonly statusWhileAlive: string | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + HANG_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Reads the one run's status, or undefined while the database or its row does not exist yet. */
function runStatus(db: string): string | undefined {
  if (!existsSync(db)) return undefined;
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return conn.prepare<[], { status: string }>('SELECT status FROM runs').get()?.status;
    } finally {
      conn.close();
    }
  } catch {
    return undefined; // not created or not migrated yet
  }
}

function barsSeen(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

function cli(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['bin/tradeflow.mjs', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode);
    else child.once('exit', (code) => done(code));
  });
}

/** Opens the database the way any command does (`tradeflow strategies list`), and waits for it to end. */
async function openWithAnotherCommand(db: string): Promise<void> {
  const child = cli(['strategies', 'list', '--db', db]);
  const code = await exited(child);
  if (code !== 0) throw new Error(`tradeflow strategies list --db ${db} exited with ${code}`);
}

async function play(scenario: Scenario): Promise<Outcome> {
  const dir = join(tmp, scenario.name);
  const db = join(dir, 'runs.db');
  const out = join(dir, 'out');
  const progress = join(tmp, `${scenario.name}.progress`);
  const session = join(tmp, `${scenario.name}.json`);
  writeFileSync(
    session,
    JSON.stringify({
      name: scenario.name,
      root: FIXTURE_ROOT,
      data: [
        {
          symbol: 'ORCL',
          file: join(ROOT, 'data/daily/orcl-1995-2014.txt'),
          format: 'yahoo',
          calendar: 'us_equities',
        },
      ],
      strategies: [
        {
          module: 'strategies/napper',
          isolation: 'inline',
          config: { symbols: ['ORCL'], interval: '1d', sleep_ms: 2, progress_file: progress },
        },
      ],
      broker: { initial_cash: 100_000, commission: { per_share: 0, bps: 0 }, slippage_bps: 0 },
    }),
  );
  const child = cli(['backtest', session, '--db', db, '--out', out, '--quiet']);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const code = exited(child);
  await waitFor(`the run row of ${scenario.name}`, () => runStatus(db));
  await waitFor(`${BARS_AT[scenario.moment]} bars in ${scenario.name}`, () =>
    barsSeen(progress) >= BARS_AT[scenario.moment] ? true : undefined,
  );
  let statusWhileAlive: string | undefined;
  if (scenario.moment === 'middle' && scenario.signal === 'SIGKILL') {
    // Another command opens the database while the run's process lives: its run must stay running.
    await openWithAnotherCommand(db);
    statusWhileAlive = runStatus(db);
  }
  child.kill(scenario.signal);
  const exitCode = await code;
  return {
    scenario,
    db,
    out,
    pid: child.pid ?? -1,
    code: exitCode,
    stderr,
    statusAtExit: runStatus(db),
    statusWhileAlive,
  };
}

interface Records {
  readonly integrity: string;
  readonly status: string;
  readonly error: string | null;
  readonly counts: Readonly<Record<'orders' | 'fills' | 'trades' | 'signals' | 'equity', number>>;
  readonly orphans: Readonly<Record<string, number>>;
}

/** Reads what the database holds of the run, with PRAGMA integrity_check and the orphan checks. */
function records(db: string): Records {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const one = (sql: string) => (conn.prepare(sql).get() as { n: number }).n;
    const run = conn.prepare('SELECT status, error FROM runs').get() as {
      status: string;
      error: string | null;
    };
    const fillAt = (time: string) =>
      `EXISTS (SELECT 1 FROM fills f WHERE f.run_id = t.run_id AND f.account = t.account
         AND f.strategy = t.strategy AND f.symbol = t.symbol AND f.ts = t.${time})`;
    return {
      integrity: conn.pragma('integrity_check', { simple: true }) as string,
      status: run.status,
      error: run.error,
      counts: {
        orders: one('SELECT count(*) AS n FROM orders'),
        fills: one('SELECT count(*) AS n FROM fills'),
        trades: one('SELECT count(*) AS n FROM trades'),
        signals: one('SELECT count(*) AS n FROM signals'),
        equity: one('SELECT count(*) AS n FROM equity'),
      },
      orphans: {
        fillsWithoutOrder: one(
          'SELECT count(*) AS n FROM fills f WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.run_id = f.run_id AND o.id = f.order_id)',
        ),
        signalsWithoutOrder: one(
          'SELECT count(*) AS n FROM signals s WHERE s.order_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.run_id = s.run_id AND o.id = s.order_id)',
        ),
        tradesWithoutFills: one(
          `SELECT count(*) AS n FROM trades t WHERE NOT (${fillAt('entry_time')} AND ${fillAt('exit_time')})`,
        ),
        filledOrdersWithoutFill: one(
          "SELECT count(*) AS n FROM orders o WHERE o.status = 'filled' AND NOT EXISTS (SELECT 1 FROM fills f WHERE f.run_id = o.run_id AND f.order_id = o.id)",
        ),
      },
    };
  } finally {
    conn.close();
  }
}

const NO_ORPHANS = {
  fillsWithoutOrder: 0,
  signalsWithoutOrder: 0,
  tradesWithoutFills: 0,
  filledOrdersWithoutFill: 0,
};

const SCENARIOS: readonly Scenario[] = [
  { name: 'kill-start', signal: 'SIGKILL', moment: 'start' },
  { name: 'kill-middle', signal: 'SIGKILL', moment: 'middle' },
  { name: 'kill-end', signal: 'SIGKILL', moment: 'end' },
  { name: 'term-start', signal: 'SIGTERM', moment: 'start' },
  { name: 'term-middle', signal: 'SIGTERM', moment: 'middle' },
  { name: 'term-end', signal: 'SIGTERM', moment: 'end' },
  { name: 'hup-middle', signal: 'SIGHUP', moment: 'middle' },
];

const outcomes = new Map<string, Outcome>();
beforeAll(async () => {
  for (const o of await Promise.all(SCENARIOS.map(play))) outcomes.set(o.scenario.name, o);
}, 3 * HANG_MS);

const outcome = (name: string): Outcome => {
  const o = outcomes.get(name);
  if (o === undefined) throw new Error(`no outcome for ${name}`);
  return o;
};

describe('a CLI backtest killed with SIGKILL', () => {
  it.each(['kill-start', 'kill-middle', 'kill-end'])(
    '%s: stays whole, and is marked interrupted by the next command that opens its database',
    async (name) => {
      const o = outcome(name);
      expect(o.code).toBeNull(); // killed: no exit code
      expect(o.statusAtExit).toBe('running'); // nothing could record the kill itself
      // Another command opened the database mid-run, while the process lived: the run was left running.
      if (o.scenario.moment === 'middle') expect(o.statusWhileAlive).toBe('running');
      await openWithAnotherCommand(o.db);
      const r = records(o.db);
      expect(r.integrity).toBe('ok');
      expect(r.status).toBe('interrupted');
      expect(r.error).toContain(`process ${o.pid} on `);
      expect(r.orphans).toStrictEqual(NO_ORPHANS);
      if (o.scenario.moment !== 'start') {
        // Written at least every second: a run killed after thousands of bars kept what it did.
        expect(r.counts.equity).toBeGreaterThan(0);
        expect(r.counts.trades).toBeGreaterThan(0);
        expect(r.counts.fills).toBeGreaterThanOrEqual(2 * r.counts.trades);
      }
    },
  );
});

describe('a CLI backtest stopped with SIGTERM or SIGHUP', () => {
  it.each(['term-start', 'term-middle', 'term-end', 'hup-middle'])(
    '%s: ends as Ctrl-C does: exit code 130, status cancelled, result.json written and equal to the rows',
    (name) => {
      const o = outcome(name);
      expect(o.stderr).not.toMatch(/error:/);
      expect(o.code).toBe(130);
      const r = records(o.db);
      expect(r.integrity).toBe('ok');
      expect(r.status).toBe('cancelled');
      expect(r.orphans).toStrictEqual(NO_ORPHANS);
      const resultFile = join(o.out, 'result.json');
      expect(existsSync(resultFile)).toBe(true);
      const result = JSON.parse(readFileSync(resultFile, 'utf8')) as BacktestResult;
      expect(result.status).toBe('cancelled');
      expect(r.counts.trades).toBe(result.trades.length);
      expect(r.counts.orders).toBe(result.orders.total);
      if (o.scenario.moment !== 'start') expect(r.counts.trades).toBeGreaterThan(100);
    },
  );
});
