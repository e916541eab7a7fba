// Item 1 of the fault suite: a malformed signal is that strategy's problem, never the run's. Each of 23
// kinds of bad output comes from its own strategy beside the ORCL SMA cross, inline and in threads, into a
// run database written as the CLI writes it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSessionConfig, parseSessionConfig } from '../../src/config/session-config.ts';
import { MemoryLogger } from '../../src/core/logger.ts';
import type { Trade } from '../../src/model/order.ts';
import { type BacktestOutcome, runBacktestWithResult } from '../../src/report/backtest-outcome.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { ThreadedSqliteStore } from '../../src/storage/threaded-store.ts';
import type { StoredRun } from '../../src/storage/store.ts';
import { ROOT } from '../helpers.ts';
import { BAD_KINDS, type BadKind } from './signals/strategies/bad_signals.ts';

/** The fault fixtures' project: the bad strategy and the example SMA cross beside it. */
const FAULT_ROOT = resolve(import.meta.dirname, 'signals');
/**
 * The kinds go to five strategies (bad_1 ... bad_5), five at most each, so that every one of them is
 * logged (a strategy's first five errors are) and a thread run starts six threads, not 24. They trade
 * BAD, 20 of ORCL's days from 1999-03-01 on (no holiday, no early close among them); each strategy
 * returns its kinds in turn, one on every 4th bar.
 */
const PER_STRATEGY = 5;
const EVERY = 4;
const BAD_BARS = EVERY * PER_STRATEGY;
/** BAD's first bar is ORCL's on this line of its file (1999-03-01). */
const FIRST_LINE = 1050;
const GROUPS: readonly (readonly BadKind[])[] = Array.from(
  { length: Math.ceil(BAD_KINDS.length / PER_STRATEGY) },
  (_, g) => BAD_KINDS.slice(g * PER_STRATEGY, (g + 1) * PER_STRATEGY),
);
/** The strategy that returns `kind`, and the bar (1-based) on which it does. */
function placeOf(kind: BadKind): { name: string; bar: number } {
  const i = BAD_KINDS.indexOf(kind);
  return { name: `bad_${Math.floor(i / PER_STRATEGY) + 1}`, bar: ((i % PER_STRATEGY) + 1) * EVERY };
}

/**
 * What each kind becomes. A value that is no well-formed signal is dropped where it leaves the strategy,
 * counted as an error and an invalid signal, and logged with the field and the value at fault. A
 * well-formed signal whose finite values the broker cannot use is a rejected order with the reason.
 */
const OUTCOMES: Readonly<Record<BadKind, { invalid: string } | { rejected: string }>> = {
  'null-element': { invalid: 'signal: null is not a signal object' },
  'huge-quantity': {
    invalid: "quantity: 1e+308 is outside -1e15 .. 1e15 (larger values would overflow the run's books)",
  },
  'missing-action': { invalid: 'action: missing; use BUY, SELL, CLOSE, HOLD, CANCEL or REPLACE' },
  'lowercase-action': { invalid: 'action: "buy" is not BUY, SELL, CLOSE, HOLD, CANCEL or REPLACE' },
  'missing-symbol': { invalid: 'symbol: missing' },
  'empty-symbol': { invalid: 'symbol: "" (a string) is empty' },
  'number-symbol': { invalid: 'symbol: 7 is not a string' },
  'unknown-symbol': { rejected: 'unknown symbol NOPE: no data source provides it' },
  'nan-quantity': { invalid: 'quantity: NaN is not a finite number' },
  'infinite-quantity': { invalid: 'quantity: Infinity is not a finite number' },
  'string-quantity': { invalid: 'quantity: "10" (a string) is not a finite number' },
  'bigint-quantity': { invalid: 'quantity: 10n (a BigInt) is not a finite number' },
  'missing-quantity': { invalid: 'quantity: missing; a BUY needs the number of shares' },
  'negative-quantity': { rejected: 'quantity must be a positive number (got -10)' },
  'nan-limit-price': { invalid: 'price: NaN is not a finite number' },
  'limit-without-price': { rejected: 'a limit order needs a positive price (got none)' },
  'unknown-order-type': {
    invalid: 'orderType: "MKT" is not market, limit, stop, stop_limit or trailing_stop',
  },
  'number-reason': { invalid: 'reason: 404 is not a string' },
  'confidence-above-one': { invalid: 'confidence: 1.5 is not within [0, 1]' },
  'circular-metadata': { invalid: 'metadata.self: refers back to metadata (a circular reference)' },
  'bigint-metadata': {
    invalid: 'metadata.volume: 10n (a BigInt) cannot be written as JSON; pass a number or a string',
  },
  'huge-metadata': {
    invalid:
      'metadata: more than 16384 characters as JSON; keep metadata small (it is stored with every signal)',
  },
  'returns-string': { invalid: 'the string "BUY", not an array of signals' },
};

const ORCL = join(ROOT, 'data/daily/orcl-1995-2014.txt');
const tmp = mkdtempSync(join(tmpdir(), 'tradeflow-bad-signals-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const BAD_FILE = join(tmp, 'bad.csv');
const orclLines = readFileSync(ORCL, 'utf8').split('\n');
writeFileSync(
  BAD_FILE,
  [orclLines[0]!, ...orclLines.slice(FIRST_LINE, FIRST_LINE + BAD_BARS)].join('\n') + '\n',
);
/** The close of BAD's bar `bar` (1-based), 16:00 in New York: its signals and orders are stamped with it. */
const barClose = (bar: number): number =>
  DateTime.fromISO(`${orclLines[FIRST_LINE + bar - 1]!.slice(0, 10)}T16:00`, {
    zone: 'America/New_York',
  }).toMillis();

interface Run {
  readonly outcome: BacktestOutcome;
  readonly log: MemoryLogger;
  readonly stored: StoredRun;
  readonly db: string;
}

/** Runs the SMA cross and one bad strategy per kind, all in `isolation`, recorded in a fresh run database. */
async function run(isolation: 'inline' | 'thread'): Promise<Run> {
  const entry = (module: string, config: Record<string, unknown>, name?: string) => ({
    module,
    isolation,
    ...(name === undefined ? {} : { name }),
    config: { symbols: ['ORCL'], interval: '1d', ...config },
  });
  const yahoo = (symbol: string, file: string) => ({
    symbol,
    file,
    format: 'yahoo',
    calendar: 'us_equities',
  });
  const config = parseSessionConfig(
    {
      name: 'bad-signals',
      data: [yahoo('ORCL', ORCL), yahoo('BAD', BAD_FILE)],
      strategies: [
        entry('strategies/simple_ma_cross', { fast_period: 10, slow_period: 30, position_size: 10 }),
        ...GROUPS.map((kinds, g) =>
          entry('strategies/bad_signals', { kinds, symbols: ['BAD'], every: EVERY }, `bad_${g + 1}`),
        ),
      ],
      broker: { initial_cash: 100_000, commission: { per_share: 0, bps: 0 }, slippage_bps: 0 },
    },
    'bad-signals',
  );
  const db = join(tmp, `${isolation}.db`);
  // The CLI's store: writes go to a background thread, in batches.
  const store = new ThreadedSqliteStore(db);
  const log = new MemoryLogger();
  try {
    const outcome = await runBacktestWithResult({
      session: { config, name: 'bad-signals', file: join(FAULT_ROOT, 'bad-signals.json'), root: FAULT_ROOT },
      runId: isolation,
      startedAt: 1,
      endedAt: () => 2,
      store,
      logger: log,
    });
    const reader = new SqliteStore(db);
    const stored = reader.readRun(isolation);
    reader.close();
    if (stored === undefined) throw new Error(`run ${isolation} is not in ${db}`);
    return { outcome, log, stored, db };
  } finally {
    store.close();
  }
}

const runs: Partial<Record<'inline' | 'thread', Run>> = {};
/** The SMA cross's trades when it runs alone (the example session, no database). */
let aloneTrades: readonly Trade[] = [];
beforeAll(async () => {
  runs.inline = await run('inline');
  runs.thread = await run('thread');
  const alone = await runBacktestWithResult({
    session: loadSessionConfig(join(ROOT, 'config/examples/orcl-sma-cross.json')),
    runId: 'alone',
    startedAt: 1,
    logger: new MemoryLogger(),
  });
  aloneTrades = alone.engine.recorder.trades;
}, 120_000);

/** The errors logged for one strategy, in order. */
const errorsOf = (r: Run, name: string) =>
  r.log.records.filter((x) => x.level === 'error' && x.msg.startsWith(`strategy ${name}:`)).map((x) => x.msg);

/** A strategy's figures that do not depend on wall time. */
function figuresOf(r: Run, name: string) {
  const s = r.outcome.result.strategies.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no strategy ${name} in the result`);
  return {
    status: s.status,
    notifications: s.notifications,
    signals: s.signals,
    errors: s.errors,
    invalid_signals: s.invalid_signals,
  };
}

describe.each(['inline', 'thread'] as const)('23 kinds of bad signal, %s', (isolation) => {
  const got = () => runs[isolation]!;

  it('leave the run complete and the SMA cross beside them with its 97 trades, in the result and the database', () => {
    const { outcome, stored } = got();
    expect(outcome.result.status).toBe('completed');
    expect(stored.status).toBe('completed');
    const smaTrades = stored.trades.filter((t) => t.strategy === 'simple_ma_cross');
    expect(smaTrades).toHaveLength(97);
    expect(smaTrades).toEqual(aloneTrades);
    // Only the SMA cross trades: every order of a bad strategy was refused.
    expect(stored.trades).toEqual(smaTrades);
    expect(stored.trades).toEqual(outcome.engine.recorder.trades);
    expect(stored.orders).toEqual(outcome.engine.recorder.orders);
    expect(stored.fills).toEqual(outcome.engine.recorder.fills);
    expect(stored.signals).toHaveLength(outcome.engine.recorder.signals.length);
    expect(figuresOf(got(), 'simple_ma_cross')).toEqual({
      status: 'ran',
      notifications: 5036,
      signals: 195,
      errors: 0,
      invalid_signals: 0,
    });
  });

  it.each(GROUPS.map((kinds, g) => [`bad_${g + 1}`, kinds] as const))(
    '%s: counts its invalid signals as its errors, and nothing more',
    (name, kinds) => {
      const invalid = kinds.filter((k) => 'invalid' in OUTCOMES[k]).length;
      const holds = kinds.filter((k) => k !== 'returns-string').length;
      expect(figuresOf(got(), name)).toEqual({
        status: 'ran',
        notifications: BAD_BARS,
        signals: holds + (kinds.length - invalid),
        errors: invalid,
        invalid_signals: invalid,
      });
      expect(errorsOf(got(), name)).toHaveLength(invalid);
    },
  );

  it.each(BAD_KINDS)(
    '%s: is the strategy’s own fault, with the field and the value in the reason',
    (kind) => {
      const r = got();
      const { name, bar } = placeOf(kind);
      const ts = barClose(bar);
      const expected = OUTCOMES[kind];
      const orders = r.stored.orders.filter((o) => o.strategy === name && o.tsCreated === ts);
      const signals = r.stored.signals.filter((s) => s.strategy === name && s.ts === ts);
      // The well-formed HOLD returned beside the bad value is kept.
      const holds =
        kind === 'returns-string' ? [] : [{ symbol: 'BAD', action: 'HOLD', reason: `beside ${kind}` }];
      expect(signals.filter((s) => s.signal.action === 'HOLD').map((s) => s.signal)).toEqual(holds);
      if ('invalid' in expected) {
        // Dropped: no order, no stored signal; logged with the field and the value.
        expect(orders).toEqual([]);
        expect(signals).toHaveLength(holds.length);
        const logged = errorsOf(r, name).filter((m) => m.includes(expected.invalid));
        expect(logged).toEqual([
          kind === 'returns-string'
            ? `strategy ${name}: onBars(BAD, 1d) returned ${expected.invalid}`
            : `strategy ${name}: onBars(BAD, 1d) returned an invalid signal (1 of 2), dropped: ${expected.invalid}`,
        ]);
      } else {
        expect(orders).toEqual([
          expect.objectContaining({
            status: 'rejected',
            symbol: kind === 'unknown-symbol' ? 'NOPE' : 'BAD',
            reason: expected.rejected,
          }),
        ]);
        expect(signals).toHaveLength(2);
        expect(errorsOf(r, name).filter((m) => m.includes(expected.rejected))).toEqual([]);
      }
    },
  );

  it('store only valid rows, in a sound database', () => {
    const sql = new Database(got().db, { readonly: true });
    try {
      const count = (q: string) => (sql.prepare(q).get() as { n: number }).n;
      expect(sql.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(sql.pragma('foreign_key_check')).toEqual([]);
      // No fill without its order, no signal pointing at a missing order, no trade without fills.
      expect(
        count(
          'SELECT count(*) AS n FROM fills f LEFT JOIN orders o ON o.run_id = f.run_id AND o.id = f.order_id WHERE o.id IS NULL',
        ),
      ).toBe(0);
      expect(
        count(
          'SELECT count(*) AS n FROM signals s LEFT JOIN orders o ON o.run_id = s.run_id AND o.id = s.order_id WHERE s.order_id IS NOT NULL AND o.id IS NULL',
        ),
      ).toBe(0);
      expect(
        count(
          'SELECT count(*) AS n FROM trades t WHERE NOT EXISTS (SELECT 1 FROM fills f WHERE f.run_id = t.run_id AND f.strategy = t.strategy AND f.symbol = t.symbol AND f.ts IN (t.entry_time, t.exit_time))',
        ),
      ).toBe(0);
      // Every stored signal is well-formed, and every number in it finite.
      expect(
        count(`SELECT count(*) AS n FROM signals WHERE
          action NOT IN ('BUY', 'SELL', 'CLOSE', 'HOLD') OR typeof(symbol) <> 'text' OR symbol = ''
          OR (order_type IS NOT NULL AND order_type NOT IN ('market', 'limit', 'stop'))
          OR (reason IS NOT NULL AND typeof(reason) <> 'text')
          OR (quantity IS NOT NULL AND (typeof(quantity) NOT IN ('integer', 'real') OR abs(quantity) > 1e300))
          OR (price IS NOT NULL AND (typeof(price) NOT IN ('integer', 'real') OR abs(price) > 1e300))
          OR (confidence IS NOT NULL AND (confidence < 0 OR confidence > 1))
          OR (action IN ('BUY', 'SELL') AND quantity IS NULL)
          OR (metadata IS NOT NULL AND (json_valid(metadata) = 0 OR length(metadata) > 16384))`),
      ).toBe(0);
      expect(
        count(`SELECT count(*) AS n FROM orders WHERE typeof(quantity) NOT IN ('integer', 'real')
          OR abs(quantity) > 1e300 OR type NOT IN ('market', 'limit', 'stop') OR symbol = ''`),
      ).toBe(0);
    } finally {
      sql.close();
    }
  });
});

describe('bad signals inline and in threads', () => {
  it('have the same outcome either way: figures, logged reasons, orders and stored signals', () => {
    const inline = runs.inline!;
    const thread = runs.thread!;
    for (const name of ['simple_ma_cross', ...GROUPS.map((_, g) => `bad_${g + 1}`)]) {
      expect(figuresOf(thread, name), name).toEqual(figuresOf(inline, name));
      expect(errorsOf(thread, name), name).toEqual(errorsOf(inline, name));
    }
    const { run_id: _t, strategies: _ts, ...threadRest } = thread.outcome.result;
    const { run_id: _i, strategies: _is, ...inlineRest } = inline.outcome.result;
    expect(threadRest).toEqual(inlineRest);
    expect(thread.stored.orders).toEqual(inline.stored.orders);
    expect(thread.stored.signals).toEqual(inline.stored.signals);
    expect(thread.stored.trades).toEqual(inline.stored.trades);
  });
});
