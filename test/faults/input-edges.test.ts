// Fault injection, item 7 (input edge cases): far-off dates, absurd prices, hostile bytes in files, skipped
// rows, prototype names as strategy types, impossible dates, a BOM, session names that are paths, and
// an async onBars. Each is refused or handled with an error that names the place and what to do.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { testApp } from '../../src/api/app.fixture.ts';
import { paramArgument } from '../../src/cli/strategies-command.ts';
import { loadSessionConfig, parseSessionConfig } from '../../src/config/session-config.ts';
import { formatError, isTradeflowError, TradeflowError } from '../../src/core/errors.ts';
import { createStderrLogger, MemoryLogger } from '../../src/core/logger.ts';
import { liveBarProblem } from '../../src/engine/live.ts';
import { loadSessionData } from '../../src/engine/session-builder.ts';
import { SessionData } from '../../src/data/session-data.ts';
import { runBacktestWithResult } from '../../src/report/backtest-outcome.ts';
import { bullishBreakoutSchema } from '../../src/screener/bullish-breakout.ts';
import { loadStrategies } from '../../src/strategy/loader.ts';
import { backtest, type CliRun, ROOT, runCli, session, tempFiles } from '../helpers.ts';

const HEADER = 'Date,Open,High,Low,Close,Adj Close,Volume';
const ORCL = readFileSync(join(ROOT, 'data/daily/orcl-1995-2014.txt'), 'utf8').trimEnd();
const ORCL_LINES = ORCL.split('\n').length;
const SMA_CROSS = {
  module: 'strategies/examples/simple_ma_cross',
  isolation: 'inline',
  config: { symbols: ['ORCL'], interval: '1d', fast_period: 10, slow_period: 30, position_size: 10 },
};
/** The fixture project of this suite: strategies that break the onBars contract. */
const FAULT_ROOT = resolve(import.meta.dirname, 'inputs');

const dir = tempFiles({
  'far.csv': `${ORCL}\n9999-12-31,45.45,45.56,44.97,44.97,42.30,13269200\n`,
  'early.csv': `${HEADER}\n0001-01-01,10,11,9,10.5,10.5,1000\n${ORCL.split('\n').slice(1).join('\n')}\n`,
  'huge-price.csv': `${HEADER}\n2020-01-02,10,11,9,10.5,10.5,1000\n2020-01-03,1e308,1e308,1e308,1e308,1,1000\n`,
  'huge-volume.csv': `${HEADER}\n2020-01-02,10,11,9,10.5,10.5,1e300\n`,
  'ansi-date.csv': `${HEADER}\n2020-01-02\u001b[2J\u001b[31mBOOM\u0007,10,11,9,10.5,10.5,1000\n`,
  'ansi-header.csv': `Date\u001b]0;owned\u0007,\u202eOpen,High\n2020-01-02,1,2\n`,
  'skips.csv': [
    HEADER,
    '2020-01-02,10,11,9,10.5,10.5,1000',
    '2020-01-03,10,9,11,10.5,10.5,1000',
    '2020-01-06,10,11,9,10.5,10.5,1000',
    '2020-01-07,10,11,9,ten,10.5,1000',
    '2020-01-08,10,11,9,10.5,10.5,1000',
    '2020-01-09,0,11,9,10.5,10.5,1000',
    '2020-01-10,10,11,9,10.5,10.5,1000',
    '2020-01-13,10,11,9,10.5,10.5,-5',
    '2020-01-14,10,11,9,10.5,10.5,1000',
    '2020-01-15,10,11,9,10.5,10.5,1000',
    '2014-02-30,10,11,9,10.5,10.5,1000',
    '2020-01-16,10,11,9,10.5,10.5,1000',
    '2020-01-17,10,11,9,10.5,10.5,1000',
    '2020-01-16,10,11,9,10.5,10.5,1000',
    '',
  ].join('\n'),
});
// Invalid UTF-8: a 0xff byte in the Close field.
writeFileSync(
  join(dir, 'bad-utf8.csv'),
  Buffer.concat([
    Buffer.from(`${HEADER}\n2020-01-02,10,11,9,`),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(',10,1000\n'),
  ]),
);

/** How the loader names a file in messages: relative to the working folder. */
const shown = (file: string): string => relative(process.cwd(), join(dir, file));
const source = (file: string, extra: Record<string, unknown> = {}) => ({
  symbol: 'ORCL',
  file: join(dir, file),
  format: 'yahoo',
  ...extra,
});
const loadError = (file: string, extra: Record<string, unknown> = {}): unknown => {
  try {
    loadSessionData(session({ data: [source(file, extra)], strategies: [SMA_CROSS] }));
    return undefined;
  } catch (e) {
    return e;
  }
};
/** Returns the message of a coded error, asserting its code and that no raw control byte is in it. */
function coded(e: unknown, code: string): string {
  expect(e, String(e)).toBeInstanceOf(TradeflowError);
  expect((e as TradeflowError).code).toBe(code);
  const message = (e as TradeflowError).message;
  // eslint-disable-next-line no-control-regex
  expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e\ufffd]/);
  return message;
}

// The CLI runs start together (each costs a second or two) and the tests read their outcomes.
const cliConfig = (name: string, config: Record<string, unknown>): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ root: ROOT, ...config }));
  return file;
};
let skipRun: CliRun;
let protoRun: CliRun;
beforeAll(async () => {
  const skips = cliConfig('skips.json', {
    data: [{ symbol: 'X', file: join(dir, 'skips.csv'), on_bad_row: 'skip' }],
    strategies: [{ module: 'strategies/examples/buy_and_hold', config: { symbols: ['X'] } }],
  });
  const proto = cliConfig('proto.json', {
    data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
    strategies: [{ type: 'toString', config: { symbols: ['ORCL'] } }],
  });
  [skipRun, protoRun] = await Promise.all([
    runCli(['backtest', skips, '--no-db', '--out', join(dir, 'out-skips')]),
    runCli(['backtest', proto, '--no-db', '--out', join(dir, 'out-proto')]),
  ]);
});

describe('dates past the horizon', () => {
  it('a row dated 9999-12-31 or 0001-01-01 is refused by the row checks, naming file, line and field', () => {
    expect(coded(loadError('far.csv'), 'TF_ERR_DATA_ROW')).toBe(
      `${shown('far.csv')}:${ORCL_LINES + 1}: Date "9999-12-31" is outside the dates tradeflow accepts ` +
        '(1900-01-01 to 2100-12-31); a date so far off is almost always a typo, and a calendar would have to walk every day up to it',
    );
    expect(coded(loadError('early.csv'), 'TF_ERR_DATA_ROW')).toMatch(
      /early\.csv:2: Date "0001-01-01" is outside/,
    );
  });

  it('skipped, the far row costs nothing: the reference run keeps its 97 trades', async () => {
    const { result, log } = await backtest({
      data: [source('far.csv', { on_bad_row: 'skip' })],
      strategies: [SMA_CROSS],
    });
    expect(result.trades).toHaveLength(97);
    expect(result.final_value).toBeCloseTo(100_264.60652, 5);
    expect(result.data[0]).toMatchObject({ skipped: 1, problems: { 'date-out-of-range': 1 } });
    expect(log.records.map((r) => r.msg)).toEqual([
      `${shown('far.csv')}: skipped 1 bad row (date-out-of-range 1) as on_bad_row "skip" says; at line ${ORCL_LINES + 1} (date-out-of-range); ${ORCL_LINES - 1} rows loaded`,
    ]);
  });
});

describe('live bars past the horizon or absurd', () => {
  it('are refused by the live checks, as rows are', () => {
    const series = new SessionData().create('X', '1m');
    const bar = {
      symbol: 'X',
      interval: '1m' as const,
      tsClose: Date.UTC(2024, 0, 2, 15),
      open: 10,
      high: 11,
      low: 9,
      close: 10.5,
      volume: 100,
    };
    expect(liveBarProblem(bar, series)).toBeUndefined();
    expect(liveBarProblem({ ...bar, tsClose: Date.UTC(9999, 11, 31) }, series)).toBe(
      'its time (9999-12-31T00:00:00.000Z) is outside the dates tradeflow accepts (1900-01-01 to 2100-12-31)',
    );
    expect(liveBarProblem({ ...bar, tsClose: 1e300 }, series)).toBe(
      'its time (1e+300) is outside the dates tradeflow accepts (1900-01-01 to 2100-12-31)',
    );
    expect(liveBarProblem({ ...bar, high: 1e308, close: 1e308 }, series)).toMatch(/^value too large/);
  });
});

describe('finite but absurd values', () => {
  it('a price or volume whose products overflow is refused, naming the field', () => {
    expect(coded(loadError('huge-price.csv'), 'TF_ERR_DATA_ROW')).toBe(
      `${shown('huge-price.csv')}:3: High 1e308 is larger than 1e+15, the most a price or volume may be (products of such values overflow)`,
    );
    expect(coded(loadError('huge-volume.csv'), 'TF_ERR_DATA_ROW')).toMatch(
      /huge-volume\.csv:2: Volume 1e300 is larger than 1e\+15/,
    );
  });
});

describe('bytes from files reach no terminal raw', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('terminal escapes, control and direction characters and invalid UTF-8 are escaped in errors', () => {
    expect(coded(loadError('ansi-date.csv'), 'TF_ERR_DATA_ROW')).toContain(
      'Date "2020-01-02\\x1b[2J\\x1b[31mBOOM\\x07" is not a valid date',
    );
    expect(coded(loadError('ansi-header.csv', { format: undefined }), 'TF_ERR_DATA_FILE')).toContain(
      'header "Date\\x1b]0;owned\\x07,\\u202eOpen,High"',
    );
    expect(coded(loadError('bad-utf8.csv'), 'TF_ERR_DATA_ROW')).toContain(
      'Close "\\ufffd\\ufffd" is not a number',
    );
    const config = join(dir, 'ansi.json');
    writeFileSync(config, '{"name": "x\u001b[31m"}');
    let thrown: unknown;
    try {
      loadSessionConfig(config);
    } catch (e) {
      thrown = e;
    }
    expect(coded(thrown, 'TF_ERR_CONFIG_READ')).toContain('not valid JSON');
  });

  it('the stderr logger and the CLI error printer escape what they print', () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      written.push(String(s));
      return true;
    });
    createStderrLogger('warn').warn('strategy x: threw \u001b[31mred\u009b\nat line 2', { value: '\u202e' });
    expect(written).toEqual(['warn: strategy x: threw \\x1b[31mred\\x9b\nat line 2 {"value":"\\u202e"}\n']);
    expect(formatError(new TradeflowError('TF_ERR_DATA_FILE', 'f.csv: "\u0007"'))).toBe(
      'TF_ERR_DATA_FILE: f.csv: "\\x07"\n  hint: Check the data file path and format in the session config.',
    );
  });
});

describe('on_bad_row "skip"', () => {
  it('says how many rows it skipped and where the first ones were', async () => {
    const expected =
      `${shown('skips.csv')}: skipped 6 bad rows (high-below-low 1, bad-number 1, non-positive-price 1, ` +
      'negative-volume 1, bad-date 1, out-of-order 1) as on_bad_row "skip" says; first at lines 3 (high-below-low), ' +
      '5 (bad-number), 7 (non-positive-price), 9 (negative-volume), 12 (bad-date), ...; 8 rows loaded';
    const { log } = await backtest({
      data: [{ symbol: 'X', file: join(dir, 'skips.csv'), on_bad_row: 'skip' }],
      strategies: [{ module: 'strategies/examples/buy_and_hold', config: { symbols: ['X'] } }],
    });
    expect(log.records.filter((r) => r.level === 'warn').map((r) => r.msg)).toEqual([expected]);
    // The CLI prints it.
    expect(skipRun.stderr).toContain(`warn: ${expected}`);
    expect(skipRun.code).toBe(0);
  });
});

describe('names that are not what they seem', () => {
  it('"__proto__" or "toString" as a strategy type is the coded unknown-type error, in the CLI too', async () => {
    for (const type of ['__proto__', 'toString', 'constructor']) {
      let thrown: unknown;
      try {
        await loadStrategies(ROOT, [
          session({ data: [source('far.csv')], strategies: [{ type }] }).config.strategies[0]!,
        ]);
      } catch (e) {
        thrown = e;
      }
      expect(coded(thrown, 'TF_ERR_CONFIG_INVALID')).toBe(
        `strategies[0].type: unknown strategy type "${type}"; known types: momentum, mean_reversion, rsi, sma_cross, ml_momentum, ml_mean_reversion, ml_breakout, hybrid, hybrid_momentum, bracket_breakout`,
      );
    }
    expect(protoRun.stderr).toContain(
      'TF_ERR_CONFIG_INVALID: strategies[0].type: unknown strategy type "toString"',
    );
    expect(protoRun.code).toBe(2);
  });

  it('"__proto__" as a stored parameter name (`strategies add/set --param`) is refused, not set as a prototype', () => {
    expect(paramArgument('fast_period=10')).toEqual([['fast_period', 10]]);
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      expect(() => paramArgument(`${key}={"polluted":true}`)).toThrow(`"${key}" cannot be a parameter name`);
    }
  });

  it('a session name cannot place output outside out/: paths are refused, plain names kept', () => {
    const base = { data: [source('far.csv')], strategies: [SMA_CROSS] };
    for (const name of ['../escape', '/tmp/abs', 'a/b', 'a\\b', '..', '.', 'C:x', 'tab\there']) {
      let thrown: unknown;
      try {
        parseSessionConfig({ ...base, name }, 's.json');
      } catch (e) {
        thrown = e;
      }
      expect(isTradeflowError(thrown, 'TF_ERR_CONFIG_INVALID'), name).toBe(true);
      expect((thrown as Error).message).toContain('name: must be a plain name');
    }
    expect(parseSessionConfig({ ...base, name: 'ORCL sma 10-30 (v2)' }, 's.json').name).toBe(
      'ORCL sma 10-30 (v2)',
    );
  });
});

describe('impossible dates and a BOM', () => {
  it('as_of 2014-02-30 is refused by the screener and the API', async () => {
    expect(bullishBreakoutSchema.safeParse({ as_of: '2014-02-28' }).success).toBe(true);
    const r = bullishBreakoutSchema.safeParse({ as_of: '2014-02-30' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['as_of', 'must be a real calendar date (2014-02-30 is not)'],
    ]);
    const app = testApp();
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/strategies/execute',
        payload: { strategy: 'bullish_breakout', tickers: ['ORCL'], parameters: { as_of: '2014-02-30' } },
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('parameters.as_of');
    } finally {
      await app.close();
    }
  });

  it('a config file with a UTF-8 BOM is read like one without', () => {
    const text = JSON.stringify({ data: [source('far.csv')], strategies: [SMA_CROSS] });
    writeFileSync(join(dir, 'plain.json'), text);
    writeFileSync(join(dir, 'bom.json'), `\uFEFF${text}`);
    expect(loadSessionConfig(join(dir, 'bom.json')).config).toEqual(
      loadSessionConfig(join(dir, 'plain.json')).config,
    );
  });
});

describe('an async onBars', () => {
  const strategy = (module: string, isolation: string) => ({
    module,
    isolation,
    config: { symbols: ['ORCL'], interval: '1d' },
  });
  const faultSession = (module: string, isolation: string) => ({
    config: parseSessionConfig({
      data: [{ symbol: 'ORCL', file: join(ROOT, 'data/daily/orcl-1995-2014.txt') }],
      strategies: [strategy(module, isolation)],
    }),
    name: 'async',
    file: join(FAULT_ROOT, 'async.json'),
    root: FAULT_ROOT,
  });

  it('declared async, the strategy is refused at load with a message saying onBars must be synchronous', async () => {
    let thrown: unknown;
    try {
      await loadStrategies(FAULT_ROOT, faultSession('strategies/async_bars', 'inline').config.strategies);
    } catch (e) {
      thrown = e;
    }
    expect(coded(thrown, 'TF_ERR_STRATEGY_INVALID')).toBe(
      'strategies[0].module: AsyncBarsStrategy in strategies/async_bars.ts declares onBars async; onBars must be ' +
        'synchronous and return its signals as an array (remove "async" and compute from the bars it is given)',
    );
  });

  it.each(['inline', 'thread'])(
    'returning a promise (%s), each call is a counted error that says so',
    async (isolation) => {
      const log = new MemoryLogger();
      const { result } = await runBacktestWithResult({
        session: faultSession('strategies/promise_bars', isolation),
        runId: `promise-${isolation}`,
        startedAt: 0,
        logger: log,
      });
      expect(result.status).toBe('completed');
      expect(result.trades).toHaveLength(0);
      expect(result.strategies[0]).toMatchObject({ errors: 5036, signals: 0 });
      const errors = log.records.filter((r) => r.level === 'error').map((r) => r.msg);
      expect(errors[0]).toBe(
        'strategy promise_bars: onBars(ORCL, 1d) returned a Promise (onBars is async or returns a promise); onBars must ' +
          'be synchronous and return its signals as an array, so remove "async" and compute from the bars it is given',
      );
    },
  );
});
