import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../core/clock.ts';
import { isTradeflowError } from '../core/errors.ts';
import type { StrategyConfiguration } from '../storage/strategy-configs.ts';
import { backtest, session } from '../../test/helpers.ts';
import { buildCli } from './cli.ts';
import { appendStoredStrategies, checkStrategyDefinition } from './stored-strategies.ts';
import { ROOT } from '../../test/helpers.ts';

// What each validator_type of a stored strategy configuration checks, when it is saved (the CLI) and when
// a session loads it; and the risk limits a configuration carries into its session entry.

const dir = mkdtempSync(join(tmpdir(), 'tradeflow-validators-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});
let files = 0;

function cli() {
  const db = join(dir, `${++files}.db`);
  const clock = new TestClock(0);
  const run = async (...args: string[]): Promise<string> => {
    const printed: string[] = [];
    const program = buildCli({ stdout: (text) => printed.push(text), clock });
    const quiet = (c: Command): void => {
      c.configureOutput({ writeErr: () => undefined });
      c.commands.forEach(quiet);
    };
    quiet(program);
    await program.parseAsync([...args, '--db', db], { from: 'user' });
    return printed.join('');
  };
  return { run, db };
}

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

const add = (...rest: string[]) => [
  'strategies',
  'add',
  'x',
  '--type',
  'sma_cross',
  '--symbols',
  'ORCL',
  ...rest,
];
const show = async (run: ReturnType<typeof cli>['run']) =>
  JSON.parse(await run('strategies', 'show', 'x')) as StrategyConfiguration;

describe('validator_type when a configuration is saved', () => {
  it('schema (the default) refuses a parameter the strategy does not know', async () => {
    const { run } = cli();
    const e = await rejection(run(...add('--param', 'fast_perod=3')));
    expect(e.message).toBe('strategy configuration "x": parameters: Unrecognized key: "fast_perod"');
    await run(...add('--param', 'fast_period=3'));
    expect((await show(run)).validator_type).toBe('schema');
  });

  it('schema_loose stores an unknown parameter with a note, and still refuses a bad known one', async () => {
    const { run } = cli();
    const printed = await run(...add('--validator', 'schema_loose', '--param', 'fast_perod=3'));
    expect(printed).toBe(
      [
        'strategy configuration "x": validator_type schema_loose dropped parameters its strategy does not know: fast_perod (remove them with `tradeflow strategies set <name> --unset fast_perod`)',
        'added x (enabled): sma_cross on ORCL, accounts default, parameters {"fast_perod":3}, validator schema_loose',
        '',
      ].join('\n'),
    );
    const e = await rejection(
      run('strategies', 'set', 'x', '--param', 'fast_period=50', '--param', 'slow_period=20'),
    );
    expect(isTradeflowError(e, 'TF_ERR_STRATEGY_CONFIG')).toBe(true);
    expect(e.message).toBe(
      'strategy configuration "x": parameters.fast_period: must be less than slow_period',
    );
    // Back to schema: the unknown parameter is refused again, so the change is not stored.
    const strict = await rejection(run('strategies', 'set', 'x', '--validator', 'schema'));
    expect(strict.message).toBe('strategy configuration "x": parameters: Unrecognized key: "fast_perod"');
    expect((await show(run)).validator_type).toBe('schema_loose');
  });

  it('none stores parameters and even a type no module has yet, unchecked', async () => {
    const { run } = cli();
    await run(
      'strategies',
      'add',
      'x',
      '--type',
      'strategies/examples/not_written_yet',
      '--symbols',
      'ORCL',
      '--validator',
      'none',
      '--param',
      'anything=1',
    );
    expect(await show(run)).toMatchObject({
      type: 'strategies/examples/not_written_yet',
      parameters: { anything: 1 },
      validator_type: 'none',
    });
  });

  it('refuses an unknown validator type as a usage error naming the choices', async () => {
    const { run } = cli();
    const e = await rejection(run(...add('--validator', 'strict')));
    expect(e.code).toBe('commander.invalidArgument');
    expect(e.message).toMatch(
      /--validator <type>' argument 'strict' is invalid\. expected one of schema, schema_loose, none\./,
    );
  });
});

describe('risk limits of a stored configuration', () => {
  it('stores, prints, changes and removes them', async () => {
    const { run } = cli();
    expect(await run(...add('--risk', '{"max_position_shares":5}'))).toBe(
      'added x (enabled): sma_cross on ORCL, accounts default, parameters {}, risk {"max_position_shares":5}\n',
    );
    await run('strategies', 'set', 'x', '--risk', '{"daily_loss_limit":250,"max_open_orders":2}');
    expect((await show(run)).risk).toStrictEqual({ daily_loss_limit: 250, max_open_orders: 2 });
    await run('strategies', 'set', 'x', '--unset-risk');
    expect(Object.hasOwn(await show(run), 'risk')).toBe(false);
  });

  it('refuses limits the risk schema refuses, text that is not a JSON object, and --risk with --unset-risk', async () => {
    const { run } = cli();
    const unknown = await rejection(run(...add('--risk', '{"max_shares":1}')));
    expect(isTradeflowError(unknown, 'TF_ERR_STORED_STRATEGY')).toBe(true);
    expect(unknown.message).toBe('strategy configuration "x": risk: Unrecognized key: "max_shares"');
    const negative = await rejection(run(...add('--risk', '{"max_order_notional":-5}')));
    expect(negative.message).toBe(
      'strategy configuration "x": risk.max_order_notional: Too small: expected number to be >0',
    );
    for (const text of ['nope', '[1]', '3']) {
      const e = await rejection(run(...add('--risk', text)));
      expect(e.code).toBe('commander.invalidArgument');
      expect(e.message).toMatch(/expected a JSON object/);
    }
    await run(...add());
    const both = await rejection(
      run('strategies', 'set', 'x', '--risk', '{"max_open_orders":1}', '--unset-risk'),
    );
    expect(both.message).toBe('strategy configuration "x": give --risk or --unset-risk, not both');
  });
});

const NVDA = { symbol: 'NVDA', file: 'data/daily/nvda-1999-2014.txt' };
const stored = (over: Partial<StrategyConfiguration>): StrategyConfiguration => ({
  name: 'db_x',
  type: 'sma_cross',
  parameters: {},
  instruments: ['NVDA'],
  active_brokers: ['default'],
  enabled: true,
  validator_type: 'schema',
  created_at: 0,
  updated_at: 0,
  ...over,
});
const fileSession = () => session({ data: [NVDA], strategies: [], db_strategies: true }, 'validators');

describe('validator_type and risk when a session loads a stored configuration', () => {
  it('carries the risk limits into the session entry', async () => {
    const risk = { max_position_shares: 100, daily_loss_limit: 1000 };
    const merged = await appendStoredStrategies(fileSession(), [stored({ risk })], 'test.db');
    expect(merged.config.strategies[0]?.risk).toStrictEqual(risk);
    const plain = await appendStoredStrategies(fileSession(), [stored({})], 'test.db');
    expect(plain.config.strategies[0]?.risk).toBeUndefined();
  });

  it('schema refuses an unknown parameter; schema_loose drops it with a note and the run uses the rest', async () => {
    const parameters = { fast_period: 5, fast_perod: 3 };
    const refused = await rejection(
      appendStoredStrategies(fileSession(), [stored({ parameters })], 'test.db'),
    );
    expect(refused.message).toBe(
      'test.db: strategy configuration "db_x": parameters: Unrecognized key: "fast_perod"',
    );
    const notes: string[] = [];
    const merged = await appendStoredStrategies(
      fileSession(),
      [stored({ parameters, validator_type: 'schema_loose' })],
      'test.db',
      (t) => notes.push(t),
    );
    expect(notes).toStrictEqual([
      'test.db: strategy configuration "db_x": validator_type schema_loose dropped parameters its strategy does not know: fast_perod (remove them with `tradeflow strategies set <name> --unset fast_perod`)',
    ]);
    expect(merged.config.strategies[0]?.config).toStrictEqual({ fast_period: 5, symbols: ['NVDA'] });
  });

  it('none leaves the check to the run, whose error names the session entry', async () => {
    const bad = stored({ parameters: { fast_period: 50, slow_period: 20 }, validator_type: 'none' });
    const merged = await appendStoredStrategies(fileSession(), [bad], 'test.db');
    const e = await rejection(backtest(merged.config));
    expect(isTradeflowError(e, 'TF_ERR_STRATEGY_CONFIG')).toBe(true);
    expect(e.message).toBe('strategies[0].config.fast_period: must be less than slow_period');
    await expect(checkStrategyDefinition(ROOT, { ...bad, validator_type: 'schema' })).rejects.toThrow(
      'strategy configuration "db_x": parameters.fast_period: must be less than slow_period',
    );
  });
});
