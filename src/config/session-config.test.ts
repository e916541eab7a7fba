import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ErrorCode, isTradeflowError } from '../core/errors.ts';
import { ROOT } from '../../test/helpers.ts';
import { findProjectRoot, loadSessionConfig, parseSessionConfig } from './session-config.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tradeflow-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let fileNo = 0;
/** Writes `text` to a new config file in the temp folder and returns its path. */
function configFile(text: string): string {
  const file = join(tmp, `session-${++fileNo}.json`);
  writeFileSync(file, text);
  return file;
}

const valid = () => ({
  data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
  strategies: [{ module: 'strategies/examples/buy_and_hold', config: { symbols: ['ORCL'] } }],
});

/** Returns what `fn` throws, failing the test when it does not throw. */
function caught(fn: () => unknown): Error & { code?: unknown } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: unknown };
  }
  throw new Error('expected an error, none was thrown');
}

function expectError(e: unknown, code: ErrorCode, ...parts: readonly (string | RegExp)[]): void {
  expect(isTradeflowError(e, code), `${String(e)} should be ${code}`).toBe(true);
  for (const p of parts) {
    if (typeof p === 'string') expect((e as Error).message).toContain(p);
    else expect((e as Error).message).toMatch(p);
  }
}

describe('loadSessionConfig: files that cannot be read', () => {
  it('names the file and the JSON error for invalid JSON', () => {
    const file = configFile('{ "data": [ { "symbol": "ORCL", } ] }');
    const e = caught(() => loadSessionConfig(file));
    expectError(
      e,
      'TF_ERR_CONFIG_READ',
      `${file}: not valid JSON (`,
      '(Expected double-quoted property name in JSON at position 32',
    );
    expect(e.cause).toBeInstanceOf(SyntaxError);
  });

  it('treats an empty file as invalid JSON', () => {
    const file = configFile('');
    expectError(
      caught(() => loadSessionConfig(file)),
      'TF_ERR_CONFIG_READ',
      `${file}: not valid JSON`,
    );
  });

  it('names a missing file and the reason', () => {
    const file = join(tmp, 'nope', 'missing.json');
    expectError(
      caught(() => loadSessionConfig(file)),
      'TF_ERR_CONFIG_READ',
      `${file}: cannot read the session config (ENOENT`,
    );
  });

  it('names a folder given instead of a file', () => {
    expectError(
      caught(() => loadSessionConfig(tmp)),
      'TF_ERR_CONFIG_READ',
      `${tmp}: cannot read the session config (EISDIR`,
    );
  });
});

describe('loadSessionConfig and parseSessionConfig: invalid contents', () => {
  // Each case breaks one thing in a valid config; the message must name the file and the path.
  const cases: readonly [
    what: string,
    edit: (c: Record<string, unknown>) => unknown,
    expected: string | RegExp,
  ][] = [
    ['an unknown top-level key', (c) => ({ ...c, stratgies: [] }), '(root): Unrecognized key: "stratgies"'],
    [
      'a config that is not an object',
      () => [valid()],
      '(root): Invalid input: expected object, received array',
    ],
    ['missing data', ({ data: _d, ...c }) => c, 'data: Invalid input: expected array, received undefined'],
    [
      'missing strategies',
      ({ strategies: _s, ...c }) => c,
      'strategies: Invalid input: expected array, received undefined',
    ],
    ['no data source', (c) => ({ ...c, data: [] }), 'data: needs at least one data source'],
    ['no strategy', (c) => ({ ...c, strategies: [] }), 'strategies: needs at least one strategy'],
    [
      'a strategy routed to an unknown account',
      (c) => ({
        ...c,
        accounts: [{ name: 'paper_a' }],
        strategies: [
          { module: 'm', active_brokers: ['paper_a'] },
          { module: 'm', active_brokers: ['default', 'paper_b'] },
        ],
      }),
      'strategies[1].active_brokers[1]: unknown account "paper_b"; known accounts: default, paper_a',
    ],
    [
      'a strategy naming an account twice',
      (c) => ({ ...c, strategies: [{ module: 'm', active_brokers: ['default', 'default'] }] }),
      'strategies[0].active_brokers[1]: names account "default" twice',
    ],
    [
      'an empty active_brokers',
      (c) => ({ ...c, strategies: [{ module: 'm', active_brokers: [] }] }),
      'strategies[0].active_brokers: needs at least one account',
    ],
    [
      'an account named "default"',
      (c) => ({ ...c, accounts: [{ name: 'default' }] }),
      'accounts[0].name: "default" is the account built from "broker"',
    ],
    [
      'two accounts of one name',
      (c) => ({ ...c, accounts: [{ name: 'a' }, { name: 'b' }, { name: 'a' }] }),
      'accounts[2].name: "a" is already the name of accounts[0]',
    ],
    [
      'an account name with a comma',
      (c) => ({ ...c, accounts: [{ name: 'a,b' }] }),
      'accounts[0].name: must be letters, digits or . _ -',
    ],
    [
      'an unknown key in an account',
      (c) => ({ ...c, accounts: [{ name: 'a', comission: {} }] }),
      'accounts[0]: Unrecognized key: "comission"',
    ],
    [
      'a negative commission in an account',
      (c) => ({ ...c, accounts: [{ name: 'a', commission: { bps: -1 } }] }),
      'accounts[0].commission.bps: Too small',
    ],
    [
      'a number for a file',
      (c) => ({ ...c, data: [{ symbol: 'ORCL', file: 42 }] }),
      'data[0].file: Invalid input: expected string, received number',
    ],
    [
      'a missing file',
      (c) => ({ ...c, data: [{ symbol: 'ORCL' }] }),
      'data[0].file: Invalid input: expected string, received undefined',
    ],
    [
      'a symbol with a space',
      (c) => ({ ...c, data: [{ symbol: 'OR CL', file: 'x' }] }),
      'data[0].symbol: must be letters, digits or . _ ^ = -',
    ],
    [
      'an unknown key in a data source',
      (c) => ({ ...c, data: [{ symbol: 'ORCL', file: 'x', fromat: 'yahoo' }] }),
      'data[0]: Unrecognized key: "fromat"',
    ],
    [
      'an unknown format',
      (c) => ({ ...c, data: [{ symbol: 'ORCL', file: 'x', format: 'excel' }] }),
      /data\[0\]\.format: Invalid option: expected one of "yahoo"\|"backtrader"\|"ohlcv"/,
    ],
    [
      'an unknown interval',
      (c) => ({ ...c, data: [{ symbol: 'ORCL', file: 'x', interval: '2m' }] }),
      /data\[0\]\.interval: Invalid option: expected one of "1m"\|"5m"/,
    ],
    [
      'an unknown on_bad_row',
      (c) => ({ ...c, data: [{ symbol: 'ORCL', file: 'x', on_bad_row: 'ignore' }] }),
      'data[0].on_bad_row: Invalid option',
    ],
    [
      'an unknown calendar name',
      (c) => ({ ...c, data: [{ symbol: 'ORCL', file: 'x', calendar: 'nyse' }] }),
      'data[0].calendar: must be "us_equities", "24h" or a custom session',
    ],
    [
      'a calendar close at 25:00',
      (c) => ({
        ...c,
        data: [{ symbol: 'X', file: 'x', calendar: { timezone: 'UTC', open: '09:00', close: '25:00' } }],
      }),
      'data[0].calendar.close: must be a time HH:MM',
    ],
    [
      'a calendar close at 24:30',
      (c) => ({
        ...c,
        data: [{ symbol: 'X', file: 'x', calendar: { timezone: 'UTC', open: '09:00', close: '24:30' } }],
      }),
      'data[0].calendar.close: must be a time HH:MM',
    ],
    [
      'a calendar open at 9:30',
      (c) => ({
        ...c,
        data: [{ symbol: 'X', file: 'x', calendar: { timezone: 'UTC', open: '9:30', close: '16:00' } }],
      }),
      'data[0].calendar.open: must be a time HH:MM',
    ],
    [
      'weekday 8',
      (c) => ({
        ...c,
        data: [
          {
            symbol: 'X',
            file: 'x',
            calendar: { timezone: 'UTC', open: '09:00', close: '17:00', weekdays: [1, 8] },
          },
        ],
      }),
      'data[0].calendar.weekdays[1]: Too big',
    ],
    [
      'a holiday that is not a date',
      (c) => ({
        ...c,
        data: [
          {
            symbol: 'X',
            file: 'x',
            calendar: { timezone: 'UTC', open: '09:00', close: '17:00', holidays: ['July 4'] },
          },
        ],
      }),
      'data[0].calendar.holidays[0]: must be a date YYYY-MM-DD',
    ],
    [
      'the same symbol twice',
      (c) => ({
        ...c,
        data: [
          { symbol: 'ORCL', file: 'a' },
          { symbol: 'NVDA', file: 'b' },
          { symbol: 'ORCL', file: 'c' },
        ],
      }),
      'data[2].symbol: duplicates data[0] (ORCL); load each symbol once',
    ],
    [
      'the same symbol at two intervals',
      (c) => ({
        ...c,
        data: [
          { symbol: 'ORCL', file: 'a', interval: '1m' },
          { symbol: 'ORCL', file: 'b', interval: '1d' },
        ],
      }),
      'data[1].symbol: duplicates data[0] (ORCL)',
    ],
    [
      'a join time without a zone',
      (c) => ({ ...c, data: [{ symbol: 'ORCL', file: 'a', join_at: '2024-03-01 14:30' }] }),
      'data[0].join_at: must be an ISO 8601 time with a zone, such as "2024-03-01T14:30:00Z"',
    ],
    [
      'a missing module',
      (c) => ({ ...c, strategies: [{ config: {} }] }),
      'strategies[0].module: give either "module" (a file under strategies/) or "type" (a registered strategy type), not both',
    ],
    [
      'enabled as text',
      (c) => ({ ...c, strategies: [{ module: 'strategies/x', enabled: 'yes' }] }),
      'strategies[0].enabled: Invalid input: expected boolean, received string',
    ],
    [
      'an unknown isolation',
      (c) => ({ ...c, strategies: [{ module: 'strategies/x', isolation: 'process' }] }),
      'strategies[0].isolation: Invalid option: expected one of "auto"|"thread"|"inline"',
    ],
    [
      'a config that is a list',
      (c) => ({ ...c, strategies: [{ module: 'strategies/x', config: [1] }] }),
      'strategies[0].config: Invalid input: expected record, received array',
    ],
    [
      'negative cash',
      (c) => ({ ...c, broker: { initial_cash: -5 } }),
      'broker.initial_cash: Too small: expected number to be >0',
    ],
    [
      'zero cash',
      (c) => ({ ...c, broker: { initial_cash: 0 } }),
      'broker.initial_cash: Too small: expected number to be >0',
    ],
    [
      'cash as text',
      (c) => ({ ...c, broker: { initial_cash: '100000' } }),
      'broker.initial_cash: Invalid input: expected number, received string',
    ],
    [
      'a negative commission',
      (c) => ({ ...c, broker: { commission: { per_share: -0.01 } } }),
      'broker.commission.per_share: Too small: expected number to be >=0',
    ],
    [
      'an unknown commission key',
      (c) => ({ ...c, broker: { commission: { percent: 1 } } }),
      'broker.commission: Unrecognized key: "percent"',
    ],
    ['negative slippage', (c) => ({ ...c, broker: { slippage_bps: -1 } }), 'broker.slippage_bps: Too small'],
    ['a negative speed', (c) => ({ ...c, speed_multiplier: -1 }), 'speed_multiplier: Too small'],
    [
      'report as text',
      (c) => ({ ...c, output: { report: 'yes' } }),
      'output.report: Invalid input: expected boolean, received string',
    ],
  ];

  it.each(cases)('rejects %s, naming the file and the path', (_what, edit, expected) => {
    const file = configFile(JSON.stringify(edit(valid())));
    const e = caught(() => loadSessionConfig(file));
    expectError(e, 'TF_ERR_CONFIG_INVALID', `${file}: `, expected);
  });

  it('lists every problem, each with its path', () => {
    const bad = {
      ...valid(),
      data: [{ symbol: 'ORCL', file: 'x', interval: 'weekly' }],
      broker: { initial_cash: -1, slippage_bps: -2 },
    };
    const e = caught(() => parseSessionConfig(bad, 'cfg/bad.json'));
    expectError(e, 'TF_ERR_CONFIG_INVALID');
    expect(e.message).toMatch(
      /^cfg\/bad\.json: data\[0\]\.interval: .*; broker\.initial_cash: .*; broker\.slippage_bps: /,
    );
  });

  it('names "session config" when no file is given', () => {
    expect(caught(() => parseSessionConfig({})).message).toMatch(/^session config: data: /);
  });
});

describe('loadSessionConfig: valid files', () => {
  it('applies the defaults', () => {
    const loaded = loadSessionConfig(configFile(JSON.stringify(valid())));
    expect(loaded.config).toEqual({
      speed_multiplier: 0,
      data: [
        {
          symbol: 'ORCL',
          file: 'data/daily/orcl-1995-2014.txt',
          calendar: 'us_equities',
          on_bad_row: 'error',
        },
      ],
      strategies: [
        {
          module: 'strategies/examples/buy_and_hold',
          enabled: true,
          isolation: 'auto',
          queue_size: 100,
          step_timeout_ms: 10_000,
          setup_timeout_ms: 30_000,
          teardown_timeout_ms: 5_000,
          max_heap_mb: 1024,
          max_offheap_mb: 1024,
          on_queue_full: 'block',
          on_backpressure: 'warn',
          config: { symbols: ['ORCL'] },
          active_brokers: ['default'],
        },
      ],
      db_strategies: false,
      broker: {
        initial_cash: 100_000,
        commission: { per_share: 0, bps: 0, minimum: 0 },
        slippage_bps: 0,
        allow_short: false,
        intrabar: 'worst',
      },
      accounts: [],
      output: { report: true },
    });
  });

  it('fills the defaults inside a partly given section', () => {
    const loaded = loadSessionConfig(
      configFile(
        JSON.stringify({ ...valid(), broker: { commission: { bps: 5 } }, output: { dir: 'out/x' } }),
      ),
    );
    expect(loaded.config.broker).toEqual({
      initial_cash: 100_000,
      commission: { per_share: 0, bps: 5, minimum: 0 },
      slippage_bps: 0,
      allow_short: false,
      intrabar: 'worst',
    });
    expect(loaded.config.output).toEqual({ dir: 'out/x', report: true });
  });

  it('accepts 24:00 as a close and keeps a custom calendar as written', () => {
    const calendar = {
      name: 'all_day',
      timezone: 'UTC',
      open: '00:00',
      close: '24:00',
      weekdays: [1, 2, 3, 4, 5, 6, 7],
      holidays: ['2024-12-25'],
    };
    const loaded = loadSessionConfig(
      configFile(JSON.stringify({ ...valid(), data: [{ symbol: 'X', file: 'x', calendar }] })),
    );
    expect(loaded.config.data[0]?.calendar).toEqual(calendar);
  });

  it('names the session after the file unless it has a name, and keeps the absolute path', () => {
    const file = configFile(JSON.stringify(valid()));
    const loaded = loadSessionConfig(file);
    expect(loaded.name).toBe(file.replace(/^.*\//, '').replace(/\.json$/, ''));
    expect(loaded.file).toBe(file);
    expect(loadSessionConfig(configFile(JSON.stringify({ ...valid(), name: 'mine' }))).name).toBe('mine');
  });

  it('finds the project root from a config in a subfolder', () => {
    const loaded = loadSessionConfig(join(ROOT, 'config/examples/orcl-sma-cross.json'));
    expect(loaded.root).toBe(ROOT);
    expect(loaded.name).toBe('orcl-sma-cross');

    // A project of its own: the nearest folder above the config that holds strategies/ wins.
    const project = join(tmp, 'project');
    mkdirSync(join(project, 'strategies'), { recursive: true });
    mkdirSync(join(project, 'config', 'nested', 'deeper'), { recursive: true });
    const file = join(project, 'config', 'nested', 'deeper', 'session.json');
    writeFileSync(file, JSON.stringify(valid()));
    expect(loadSessionConfig(file).root).toBe(project);
    expect(findProjectRoot(join(project, 'config', 'nested'))).toBe(project);

    // package.json marks a root as well, and the nearest marker wins over one further up.
    const inner = join(project, 'config', 'nested');
    writeFileSync(join(inner, 'package.json'), '{}');
    expect(loadSessionConfig(file).root).toBe(inner);
  });

  it('falls back to the config folder when no folder above holds a marker', () => {
    // The temp folder's ancestors (/tmp, /) hold neither strategies/ nor package.json.
    const lonely = mkdtempSync(join(tmpdir(), 'tradeflow-lonely-'));
    try {
      expect(findProjectRoot(lonely)).toBe(lonely);
    } finally {
      rmSync(lonely, { recursive: true, force: true });
    }
  });

  it('resolves a relative root against the config folder and keeps an absolute one', () => {
    const sub = join(tmp, 'rooted', 'configs');
    mkdirSync(sub, { recursive: true });
    const relativeFile = join(sub, 'a.json');
    writeFileSync(relativeFile, JSON.stringify({ ...valid(), root: '..' }));
    expect(loadSessionConfig(relativeFile).root).toBe(join(tmp, 'rooted'));
    const absoluteFile = join(sub, 'b.json');
    writeFileSync(absoluteFile, JSON.stringify({ ...valid(), root: ROOT }));
    expect(loadSessionConfig(absoluteFile).root).toBe(ROOT);
  });

  it('loads every example config', () => {
    for (const name of ['orcl-sma-cross', 'daily-portfolio', 'intraday-etfs']) {
      const loaded = loadSessionConfig(join(ROOT, `config/examples/${name}.json`));
      expect(loaded.name).toBe(name);
      expect(loaded.root).toBe(ROOT);
      expect(loaded.config.strategies.length).toBeGreaterThan(0);
    }
  });
});
