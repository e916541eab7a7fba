import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../core/clock.ts';
import { isTradeflowError } from '../core/errors.ts';
import type { BacktestResult } from '../report/result.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';
import { StrategyConfigRepository } from '../storage/strategy-configs.ts';
import { ROOT } from '../../test/helpers.ts';
import { buildCli } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tradeflow-strategies-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// A command's action sets the exit code of the process; the test runner's own must not inherit it.
afterEach(() => {
  process.exitCode = undefined;
});
let files = 0;
const T0 = Date.UTC(2026, 0, 5, 9, 0);

/** A CLI over a new database file: `run(...args)` parses one command line and returns what it printed. */
function cli() {
  const db = join(dir, `${++files}.db`);
  const clock = new TestClock(T0);
  const run = async (...args: string[]): Promise<string> => {
    const printed: string[] = [];
    const program = buildCli({ stdout: (text) => printed.push(text), clock });
    // Usage errors are thrown (exitOverride); keep commander from also printing them on stderr.
    const quiet = (c: Command): void => {
      c.configureOutput({ writeErr: () => undefined });
      c.commands.forEach(quiet);
    };
    quiet(program);
    await program.parseAsync([...args, '--db', db], { from: 'user' });
    return printed.join('');
  };
  return { run, db, clock };
}

/** Returns the error a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected the command to fail');
}

describe('tradeflow strategies', () => {
  it('adds, lists, shows, changes, disables, enables and removes a configuration', async () => {
    const { run, clock } = cli();
    expect(await run('strategies', 'list')).toMatch(/^no strategy configurations in /);
    expect(
      await run(
        'strategies',
        'add',
        'orcl_mom',
        '--type',
        'momentum',
        '--symbols',
        'ORCL, NVDA',
        '--param',
        'lookback=30',
        '--param',
        'entry_return=0.02',
        '--brokers',
        'default,paper',
      ),
    ).toBe(
      'added orcl_mom (enabled): momentum on ORCL,NVDA, accounts default,paper, parameters {"lookback":30,"entry_return":0.02}\n',
    );
    await run(
      'strategies',
      'add',
      'cross',
      '--type',
      'strategies/examples/simple_ma_cross',
      '--symbols',
      'ORCL',
      '--disabled',
    );
    expect(await run('strategies', 'list')).toBe(
      [
        'name      status    type                                 instruments  accounts       parameters',
        'cross     disabled  strategies/examples/simple_ma_cross  ORCL         default        {}',
        'orcl_mom  enabled   momentum                             ORCL,NVDA    default,paper  {"lookback":30,"entry_return":0.02}',
        '',
      ].join('\n'),
    );
    clock.advance(1000);
    await run(
      'strategies',
      'set',
      'orcl_mom',
      '--unset',
      'entry_return',
      '--param',
      'lookback=25',
      '--symbols',
      'YHOO',
    );
    expect(JSON.parse(await run('strategies', 'show', 'orcl_mom'))).toStrictEqual({
      name: 'orcl_mom',
      type: 'momentum',
      parameters: { lookback: 25 },
      instruments: ['YHOO'],
      active_brokers: ['default', 'paper'],
      enabled: true,
      validator_type: 'schema',
      created_at: T0,
      updated_at: T0 + 1000,
    });
    await run('strategies', 'disable', 'orcl_mom');
    await run('strategies', 'enable', 'cross');
    const listed = JSON.parse(await run('strategies', 'list', '--json')) as {
      name: string;
      enabled: boolean;
    }[];
    expect(listed.map((c) => [c.name, c.enabled])).toStrictEqual([
      ['cross', true],
      ['orcl_mom', false],
    ]);
    expect(await run('strategies', 'remove', 'cross')).toBe('removed cross\n');
    expect((JSON.parse(await run('strategies', 'list', '--json')) as unknown[]).length).toBe(1);
  });

  it('reads --param values as JSON when they are JSON, and as text otherwise', async () => {
    const { run } = cli();
    await run(
      'strategies',
      'add',
      'h',
      '--type',
      'hybrid_momentum',
      '--symbols',
      'ORCL',
      '--param',
      'policy=unanimous',
      '--param',
      'min_ml_confidence=0.7',
      '--param',
      'require_model=false',
    );
    expect(JSON.parse(await run('strategies', 'show', 'h'))).toMatchObject({
      parameters: { policy: 'unanimous', min_ml_confidence: 0.7, require_model: false },
    });
  });

  it("checks parameters against the strategy's schema, naming each bad path, and stores nothing", async () => {
    const { run, db } = cli();
    const e = await rejection(
      run(
        'strategies',
        'add',
        'bad',
        '--type',
        'sma_cross',
        '--symbols',
        'ORCL',
        '--param',
        'fast_period=50',
        '--param',
        'slow_period=20',
        '--param',
        'fast_perod=3',
      ),
    );
    expect(isTradeflowError(e, 'TF_ERR_STRATEGY_CONFIG')).toBe(true);
    expect(e.message).toBe(
      'strategy configuration "bad": parameters: Unrecognized key: "fast_perod"; parameters.fast_period: must be less than slow_period',
    );
    const e2 = await rejection(
      run(
        'strategies',
        'add',
        'bad',
        '--type',
        'sma_cross',
        '--symbols',
        'ORCL',
        '--param',
        'fast_period=50',
        '--param',
        'slow_period=20',
      ),
    );
    expect(e2.message).toBe(
      'strategy configuration "bad": parameters.fast_period: must be less than slow_period',
    );
    const e3 = await rejection(
      run('strategies', 'add', 'bad', '--type', 'momentum', '--symbols', 'ORCL', '--param', 'lookback="ten"'),
    );
    expect(e3.message).toMatch(
      /^strategy configuration "bad": parameters\.lookback: Invalid input: expected number/,
    );
    const repo = new StrategyConfigRepository({ path: db, clock: new TestClock() });
    expect(repo.list()).toStrictEqual([]);
    repo.close();
  });

  it('checks a change against the schema of the type it ends with', async () => {
    const { run } = cli();
    await run('strategies', 'add', 'x', '--type', 'momentum', '--symbols', 'ORCL', '--param', 'lookback=30');
    const e = await rejection(run('strategies', 'set', 'x', '--type', 'rsi'));
    expect(e.message).toBe('strategy configuration "x": parameters: Unrecognized key: "lookback"');
    await run('strategies', 'set', 'x', '--type', 'rsi', '--unset', 'lookback', '--param', 'period=10');
    expect(JSON.parse(await run('strategies', 'show', 'x'))).toMatchObject({
      type: 'rsi',
      parameters: { period: 10 },
    });
    const unset = await rejection(run('strategies', 'set', 'x', '--unset', 'nope'));
    expect(unset.message).toMatch(/--unset nope: it has no such parameter \(it has: period\)/);
  });

  it('names an unknown type, a missing module, a taken name and a missing one', async () => {
    const { run } = cli();
    const unknown = await rejection(run('strategies', 'add', 'x', '--type', 'momentun', '--symbols', 'ORCL'));
    expect(unknown.message).toMatch(/unknown strategy type "momentun"; known types: momentum, /);
    const missing = await rejection(
      run('strategies', 'add', 'x', '--type', 'strategies/examples/nope', '--symbols', 'ORCL'),
    );
    expect(isTradeflowError(missing, 'TF_ERR_STRATEGY_NOT_FOUND')).toBe(true);
    await run('strategies', 'add', 'x', '--type', 'rsi', '--symbols', 'ORCL');
    const taken = await rejection(run('strategies', 'add', 'x', '--type', 'rsi', '--symbols', 'ORCL'));
    expect(isTradeflowError(taken, 'TF_ERR_STORED_STRATEGY')).toBe(true);
    const gone = await rejection(run('strategies', 'show', 'y'));
    expect(gone.message).toMatch(/no strategy configuration "y"/);
  });

  it('refuses usage errors: symbols as a parameter, a malformed --param, a missing --type', async () => {
    const { run } = cli();
    const asParam = await rejection(
      run('strategies', 'add', 'x', '--type', 'rsi', '--symbols', 'ORCL', '--param', 'symbols=NVDA'),
    );
    expect(asParam.code).toBe('commander.invalidArgument');
    expect(asParam.message).toMatch(/give the symbols with --symbols/);
    const malformed = await rejection(
      run('strategies', 'add', 'x', '--type', 'rsi', '--symbols', 'ORCL', '--param', 'period'),
    );
    expect(malformed.message).toMatch(/expected key=value/);
    const noType = await rejection(run('strategies', 'add', 'x', '--symbols', 'ORCL'));
    expect(noType.code).toBe('commander.missingMandatoryOptionValue');
  });
});

describe('tradeflow backtest with the database strategies', () => {
  it('runs the enabled stored configurations alongside the file strategies, on the accounts they name', async () => {
    const { run, db } = cli();
    await run(
      'strategies',
      'add',
      'db_mom',
      '--type',
      'momentum',
      '--symbols',
      'ORCL',
      '--param',
      'position_size=10',
      '--brokers',
      'paper',
    );
    await run('strategies', 'add', 'db_off', '--type', 'rsi', '--symbols', 'ORCL', '--disabled');
    const session = join(dir, 'with-db.json');
    writeFileSync(
      session,
      JSON.stringify({
        name: 'with-db',
        root: ROOT,
        data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
        strategies: [
          {
            type: 'sma_cross',
            name: 'file_cross',
            config: { symbols: ['ORCL'], fast_period: 10, slow_period: 30 },
          },
        ],
        accounts: [{ name: 'paper', initial_cash: 50_000, commission: { per_share: 0.01 } }],
        output: { report: false },
      }),
    );
    const out = join(dir, 'out-with-db');
    await run('backtest', session, '--with-db-strategies', '--out', out, '--quiet');
    expect(process.exitCode).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as BacktestResult;
    expect(result.strategies.map((s) => [s.name, s.status])).toStrictEqual([
      ['file_cross', 'ran'],
      ['db_mom', 'ran'],
    ]);
    expect(result.account).toBe('default');
    expect(result.accounts.map((a) => a.name)).toStrictEqual(['default', 'paper']);
    // The file strategy trades in the default account, the stored one in "paper".
    expect(new Set(result.trades.map((t) => t.strategy))).toStrictEqual(new Set(['file_cross']));
    expect(result.accounts[1]?.trades).toBeGreaterThan(0);
    // The run is recorded in the same database, with the merged config and each order's account.
    const store = new SqliteStore(db);
    const [summary] = store.listRuns();
    const stored = store.readRun(summary?.id ?? '');
    store.close();
    expect(stored?.status).toBe('completed');
    const config = stored?.config as { strategies: { name: string }[] };
    expect(config.strategies.map((s) => s.name)).toStrictEqual(['file_cross', 'db_mom']);
    expect(new Set(stored?.orders.map((o) => `${o.strategy}@${o.account}`))).toStrictEqual(
      new Set(['file_cross@default', 'db_mom@paper']),
    );
  });

  it('needs the database to exist when the session asks for its strategies', async () => {
    const session = join(dir, 'db-flag.json');
    writeFileSync(
      session,
      JSON.stringify({
        root: ROOT,
        db_strategies: true,
        data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
        strategies: [],
      }),
    );
    const e = await rejection(
      buildCli().parseAsync(['backtest', session, '--db', join(dir, 'none.db')], { from: 'user' }),
    );
    expect(isTradeflowError(e, 'TF_ERR_CONFIG_INVALID')).toBe(true);
    expect(e.message).toMatch(/db_strategies: the database .*none\.db does not exist/);
  });
});
