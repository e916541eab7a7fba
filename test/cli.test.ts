import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../src/report/result.ts';
import { type CliRun, ROOT, runCli } from './helpers.ts';

// Runs the real CLI (bin/tradeflow.mjs) as a child process. Each run costs about a second, so all of
// them start together in beforeAll and the tests only read their outcomes. `--no-db --out <tmp>` keeps
// every run away from shared files.

const tmp = mkdtempSync(join(tmpdir(), 'tradeflow-cli-'));
const out = (name: string) => join(tmp, 'out', name);
const EXAMPLE = 'config/examples/orcl-sma-cross.json';

/** Writes a session config into the temp folder; `root` points at the project so modules and data resolve. */
function writeConfig(name: string, config: unknown): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

const dataFile = join(tmp, 'bad-row.csv');
writeFileSync(
  dataFile,
  'Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,10,11,9,10.5,10.5,1000\n2020-01-03,10,9,11,10.5,10.5,1000\n2020-01-06,10,11,9,10.5,10.5,1000\n',
);
const strategy = { module: 'strategies/examples/buy_and_hold', config: { symbols: ['X'] } };
const configs = {
  missing: join(tmp, 'no-such-session.json'),
  invalid: writeConfig('invalid.json', {
    root: ROOT,
    data: [{ symbol: 'X', file: dataFile }],
    strategies: [strategy],
    broker: { initial_cash: -100 },
  }),
  badRow: writeConfig('bad-row.json', {
    root: ROOT,
    data: [{ symbol: 'X', file: dataFile }],
    strategies: [strategy],
  }),
  noModule: writeConfig('no-module.json', {
    root: ROOT,
    data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
    strategies: [
      { module: 'strategies/examples/buy_and_hold', config: { symbols: ['ORCL'] } },
      { module: 'strategies/examples/no_such_strategy', config: { symbols: ['ORCL'] } },
    ],
  }),
};

let runs: Record<'json' | 'human' | 'missing' | 'invalid' | 'badRow' | 'noModule' | 'help' | 'usage', CliRun>;

beforeAll(async () => {
  const [json, human, missing, invalid, badRow, noModule, help, usage] = await Promise.all([
    runCli(['backtest', EXAMPLE, '--json', '--no-db', '--out', out('json')]),
    runCli(['backtest', EXAMPLE, '--no-db', '--out', out('human')]),
    runCli(['backtest', configs.missing, '--json', '--no-db', '--out', out('missing')]),
    runCli(['backtest', configs.invalid, '--json', '--no-db', '--out', out('invalid')]),
    runCli(['backtest', configs.badRow, '--json', '--no-db', '--out', out('bad-row')]),
    runCli(['backtest', configs.noModule, '--no-db', '--out', out('no-module')]),
    runCli(['--help']),
    runCli(['backtest', '--no-db']),
  ]);
  runs = { json, human, missing, invalid, badRow, noModule, help, usage };
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('tradeflow backtest --json', () => {
  it('prints exactly one JSON object on stdout and nothing on stderr', () => {
    const { code, stdout, stderr } = runs.json;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.endsWith('}\n')).toBe(true);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(typeof JSON.parse(stdout)).toBe('object');
  });

  it('holds the result: final value, cash, trades with ISO times, open positions, stats and run id', () => {
    const r = JSON.parse(runs.json.stdout) as BacktestResult;
    expect(r.run_id).toMatch(/^orcl-sma-cross-\d{8}-\d{9}-\d+$/);
    expect(r.status).toBe('completed');
    // The same figures as the reference engine (test/acceptance/reference-orcl.test.ts).
    expect(Math.abs(r.final_value - 100_264.606_52)).toBeLessThan(1e-6);
    expect(Math.abs(r.cash - 99_814.906_51)).toBeLessThan(1e-6);
    expect(r.trades).toHaveLength(97);
    for (const t of r.trades) {
      expect(Object.keys(t)).toEqual(
        expect.arrayContaining([
          'symbol',
          'entry_time',
          'entry_price',
          'exit_time',
          'exit_price',
          'quantity',
          'pnl',
        ]),
      );
      expect(t.entry_time).toMatch(ISO);
      expect(t.exit_time).toMatch(ISO);
      expect(t.exit_time > t.entry_time).toBe(true);
    }
    expect(r.trades[0]).toMatchObject({
      symbol: 'ORCL',
      quantity: 10,
      entry_time: '1995-05-12T20:00:00.000Z',
      entry_price: 2.37037,
      exit_time: '1995-09-25T20:00:00.000Z',
      exit_price: 2.935185,
    });
    expect(r.trades[0]?.pnl).toBeCloseTo(5.64815, 9);
    expect(r.open_positions).toEqual([
      expect.objectContaining({ symbol: 'ORCL', quantity: 10, avg_price: expect.any(Number) as number }),
    ]);
    expect(r.stats).toMatchObject({ trade_count: 97, bars: 5036, initial_value: 100_000 });
    expect(r.stats['final_value']).toBe(r.final_value);
  });

  it('also writes result.json, identical to what it printed, and the report', () => {
    const file = join(out('json'), 'result.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(runs.json.stdout));
    expect(existsSync(join(out('json'), 'report.html'))).toBe(true);
  });
});

describe('tradeflow backtest (human output)', () => {
  it('prints the summary and where the result and report went', () => {
    const { code, stdout, stderr } = runs.human;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^Backtest orcl-sma-cross\n/);
    expect(stdout).toMatch(/\n {2}status +completed\n/);
    expect(stdout).toMatch(/\n {2}final value +100,264\.61\n/);
    expect(stdout).toMatch(/\n {2}trades +97\n/);
    expect(stdout).toMatch(/\n {2}open positions +simple_ma_cross:ORCL 10\n/);
    expect(stdout).toMatch(
      /\nStrategies\n {2}strategy +where +status[^\n]*\n {2}simple_ma_cross +inline +running +5036 +195 +0 /,
    );
    expect(stdout).not.toContain('database');
    const reportLine = /\n {2}report +(\S+)\n/.exec(stdout);
    const resultLine = /\n {2}result +(\S+)\n/.exec(stdout);
    expect(resolve(ROOT, reportLine?.[1] ?? '')).toBe(join(out('human'), 'report.html'));
    expect(resolve(ROOT, resultLine?.[1] ?? '')).toBe(join(out('human'), 'result.json'));
  });

  it('writes report.html and result.json into --out', () => {
    const html = readFileSync(join(out('human'), 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('orcl-sma-cross');
    const result = JSON.parse(readFileSync(join(out('human'), 'result.json'), 'utf8')) as BacktestResult;
    expect(result.trades).toHaveLength(97);
    expect(Math.abs(result.final_value - 100_264.606_52)).toBeLessThan(1e-6);
    // The strategy's figures are the ones its row of the terminal table showed (a rules strategy's model
    // errors cell is blank).
    const [s] = result.strategies;
    expect(s).toMatchObject({ name: 'simple_ma_cross', notifications: 5036, signals: 195, errors: 0 });
    const cells = [
      s!.notifications,
      s!.signals,
      s!.errors,
      s!.invalid_signals,
      s!.avg_ms.toFixed(3),
      s!.p99_ms.toFixed(3),
      s!.max_ms.toFixed(3),
      s!.overruns,
      s!.dropped,
      s!.queue_depth,
      s!.backpressure_events,
    ].map((c) => String(c).replace('.', '\\.'));
    expect(runs.human.stdout).toMatch(
      new RegExp(`\\n {2}simple_ma_cross +inline +running +${cells.join(' +')}\\n`),
    );
  });
});

describe('tradeflow backtest errors', () => {
  // Each failure prints `error: CODE: message` and the hint on stderr, nothing on stdout, exits 2, writes nothing.
  it.each<[keyof typeof runs, string, string, string]>([
    [
      'missing',
      'missing',
      'TF_ERR_CONFIG_READ',
      `${configs.missing}: cannot read the session config (ENOENT`,
    ],
    [
      'invalid',
      'invalid',
      'TF_ERR_CONFIG_INVALID',
      `${configs.invalid}: broker.initial_cash: Too small: expected number to be >0`,
    ],
    ['badRow', 'bad-row', 'TF_ERR_DATA_ROW', 'bad-row.csv:3: High 9 is below Low 11'],
    [
      'noModule',
      'no-module',
      'TF_ERR_STRATEGY_NOT_FOUND',
      'strategies[1].module: no strategy file for "strategies/examples/no_such_strategy" (looked for strategies/examples/no_such_strategy.ts',
    ],
  ])('%s: reports the code and the place on stderr only', (key, outName, code, message) => {
    const run = runs[key];
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.startsWith(`error: ${code}: `)).toBe(true);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toMatch(/\n {2}hint: \S.*\n$/);
    expect(existsSync(out(outName))).toBe(false);
  });

  it('reports a usage error with commander’s message and exit code 1', () => {
    expect(runs.usage.code).toBe(1);
    expect(runs.usage.stdout).toBe('');
    expect(runs.usage.stderr).toContain("error: missing required argument 'session'");
  });
});

describe('tradeflow --help', () => {
  it('prints the usage and the backtest and live commands on stdout and exits 0', () => {
    expect(runs.help.code).toBe(0);
    expect(runs.help.stderr).toBe('');
    expect(runs.help.stdout).toMatch(/^Usage: tradeflow \[options\] \[command\]\n/);
    expect(runs.help.stdout).toMatch(
      /\n {2}backtest \[options\] <session> +run a session over its bar files: a data-driven\n/,
    );
    expect(runs.help.stdout).toMatch(
      /\n {2}live \[options\] <session> +run a session live on a bar feed with the paper\n/,
    );
  });
});
