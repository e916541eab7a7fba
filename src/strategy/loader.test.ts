import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StrategyEntrySchema, type StrategyEntry } from '../config/session-config.ts';
import { type ErrorCode, isTradeflowError } from '../core/errors.ts';
import { ROOT } from '../../test/helpers.ts';
import { BaseStrategy } from './base-strategy.ts';
import { importStrategyModule, indexStrategyFiles, loadStrategies, resolveStrategyFile } from './loader.ts';
import { classNameForModule, instanceNameForClass } from './names.ts';

/** A small project whose strategies/ folder holds one module for each way a module can be wrong. */
const PROJECT = join(ROOT, 'test/fixtures/loader-project');
const WHERE = 'strategies[0].module';

const entries = (...raw: readonly unknown[]): StrategyEntry[] => raw.map((r) => StrategyEntrySchema.parse(r));

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection, the promise resolved');
    },
    (e: unknown) => e as Error,
  );
}

function expectError(e: unknown, code: ErrorCode, message: string | RegExp): void {
  expect(isTradeflowError(e, code), `${String(e)} should be ${code}`).toBe(true);
  if (typeof message === 'string') expect((e as Error).message).toBe(message);
  else expect((e as Error).message).toMatch(message);
}

describe('classNameForModule and instanceNameForClass', () => {
  it.each([
    ['simple_ma_cross', 'SimpleMaCrossStrategy', 'simple_ma_cross'],
    ['rsi', 'RsiStrategy', 'rsi'],
    ['buy_and_hold', 'BuyAndHoldStrategy', 'buy_and_hold'],
    ['mean-reversion', 'MeanReversionStrategy', 'mean_reversion'],
    ['pairs_strategy', 'PairsStrategy', 'pairs'],
    ['ema2_cross', 'Ema2CrossStrategy', 'ema2_cross'],
    ['__odd__name', 'OddNameStrategy', 'odd_name'],
  ])('%s -> %s -> %s', (file, className, instance) => {
    expect(classNameForModule(file)).toBe(className);
    expect(instanceNameForClass(className)).toBe(instance);
  });
});

describe('resolveStrategyFile', () => {
  it('finds a module by its path without extension, with one, and in a subfolder', () => {
    expect(resolveStrategyFile(PROJECT, 'strategies/good_one', WHERE)).toBe(
      join(PROJECT, 'strategies/good_one.ts'),
    );
    expect(resolveStrategyFile(PROJECT, 'strategies/good_one.ts', WHERE)).toBe(
      join(PROJECT, 'strategies/good_one.ts'),
    );
    expect(resolveStrategyFile(PROJECT, './strategies/nested/deep_one', WHERE)).toBe(
      join(PROJECT, 'strategies/nested/deep_one.ts'),
    );
  });

  it('names the module path and every file it looked for when none exists', () => {
    expectError(
      (() => {
        try {
          return resolveStrategyFile(PROJECT, 'strategies/nope', 'strategies[3].module');
        } catch (e) {
          return e;
        }
      })(),
      'TF_ERR_STRATEGY_NOT_FOUND',
      'strategies[3].module: no strategy file for "strategies/nope" (looked for strategies/nope.ts, strategies/nope.mts, strategies/nope.js, strategies/nope.mjs)',
    );
  });

  it.each([
    ['../secrets', /leaves the strategies\/ folder/],
    ['secrets', /leaves the strategies\/ folder/],
    ['strategies/../secrets', /leaves the strategies\/ folder/],
    ['strategies/../../etc/passwd', /leaves the strategies\/ folder/],
    ['strategies/../../../../../../../../etc/passwd', /leaves the strategies\/ folder/],
    ['strategies-evil/x', /leaves the strategies\/ folder/],
    ['strategies', /leaves the strategies\/ folder/],
    ['/etc/passwd', /is absolute; name a module relative to the project root/],
    [join(PROJECT, 'strategies/good_one.ts'), /is absolute/],
  ])('refuses %s, which is not a module under strategies/', (modulePath, message) => {
    let caught: unknown;
    try {
      resolveStrategyFile(PROJECT, modulePath, WHERE);
    } catch (e) {
      caught = e;
    }
    expectError(caught, 'TF_ERR_STRATEGY_NOT_FOUND', message);
    expect((caught as Error).message).toContain(`${WHERE}: "${modulePath}"`);
  });
});

describe('indexStrategyFiles', () => {
  it('lists strategy files by base name, through subfolders', () => {
    const index = indexStrategyFiles(join(PROJECT, 'strategies'));
    expect(index.get('dup_name')).toEqual([
      join(PROJECT, 'strategies/a/dup_name.ts'),
      join(PROJECT, 'strategies/b/dup_name.ts'),
    ]);
    expect(index.get('deep_one')).toEqual([join(PROJECT, 'strategies/nested/deep_one.ts')]);
    expect(index.has('secrets')).toBe(false);
  });

  it('skips test files and returns nothing for a missing folder', () => {
    const real = indexStrategyFiles(join(ROOT, 'strategies'));
    expect(real.get('rsi')).toEqual([join(ROOT, 'strategies/examples/rsi.ts')]);
    expect([...real.keys()].filter((k) => k.includes('.test'))).toEqual([]);
    expect(indexStrategyFiles(join(PROJECT, 'no-such-folder')).size).toBe(0);
  });
});

describe('importStrategyModule', () => {
  it('imports a good module: its class, its schema and its file', async () => {
    const m = await importStrategyModule(PROJECT, 'strategies/good_one', WHERE);
    expect(m.className).toBe('GoodOneStrategy');
    expect(m.file).toBe(join(PROJECT, 'strategies/good_one.ts'));
    expect(m.cls.prototype).toBeInstanceOf(BaseStrategy);
    expect(m.configSchema.safeParse({ symbols: ['X'] }).success).toBe(true);
  });

  it('names the expected class and what the module exports instead', async () => {
    const e = await rejection(importStrategyModule(PROJECT, 'strategies/misnamed', WHERE));
    expectError(
      e,
      'TF_ERR_STRATEGY_INVALID',
      /^strategies\[0\]\.module: strategies\/misnamed\.ts does not export class MisnamedStrategy \(it exports (.*)\)$/,
    );
    // The order of a module's exports depends on the module loader, so compare them as a set.
    const exported = /\(it exports (.*)\)$/.exec(e.message)?.[1]?.split(', ');
    expect(exported?.sort()).toEqual(['MisNamedStrategy', 'configSchema', 'helper']);
  });

  it('says so when the class does not extend BaseStrategy, or is no class at all', async () => {
    expectError(
      await rejection(importStrategyModule(PROJECT, 'strategies/not_extending', WHERE)),
      'TF_ERR_STRATEGY_INVALID',
      `${WHERE}: NotExtendingStrategy in strategies/not_extending.ts does not extend BaseStrategy`,
    );
    expectError(
      await rejection(importStrategyModule(PROJECT, 'strategies/not_a_class', WHERE)),
      'TF_ERR_STRATEGY_INVALID',
      `${WHERE}: NotAClassStrategy in strategies/not_a_class.ts does not extend BaseStrategy`,
    );
  });

  it('asks for a configSchema when the module has none', async () => {
    expectError(
      await rejection(importStrategyModule(PROJECT, 'strategies/no_schema', WHERE)),
      'TF_ERR_STRATEGY_INVALID',
      `${WHERE}: strategies/no_schema.ts does not export a zod "configSchema" for its config`,
    );
  });

  it('reports a module that throws while it is imported, keeping the cause', async () => {
    const e = await rejection(importStrategyModule(PROJECT, 'strategies/throws_at_import', WHERE));
    expectError(
      e,
      'TF_ERR_STRATEGY_INVALID',
      `${WHERE}: strategies/throws_at_import.ts failed to load: cannot find my API key`,
    );
    expect((e.cause as Error).message).toBe('cannot find my API key');
  });

  it('names both files when two strategies share a base name, whichever is asked for', async () => {
    for (const which of ['a', 'b']) {
      expectError(
        await rejection(importStrategyModule(PROJECT, `strategies/${which}/dup_name`, WHERE)),
        'TF_ERR_STRATEGY_DUPLICATE',
        `${WHERE}: strategy name "dup_name" is used by strategies/a/dup_name.ts and strategies/b/dup_name.ts`,
      );
    }
  });
});

describe('loadStrategies', () => {
  it('builds each enabled strategy with its parsed config, default name and list index', async () => {
    const loaded = await loadStrategies(
      PROJECT,
      entries(
        { module: 'strategies/good_one', config: { symbols: ['X'], fast_period: 5 } },
        {
          module: 'strategies/nested/deep_one',
          name: 'deep',
          config: { symbols: ['Y', 'Z'], interval: '5m' },
        },
      ),
    );
    expect(loaded.map((l) => [l.index, l.strategy.name, l.module.className])).toEqual([
      [0, 'good_one', 'GoodOneStrategy'],
      [1, 'deep', 'DeepOneStrategy'],
    ]);
    expect(loaded[0]?.strategy.config).toEqual({
      symbols: ['X'],
      interval: '1d',
      position_size: 1,
      fast_period: 5,
      slow_period: 30,
    });
    expect(loaded[1]?.strategy.getSubscriptions()).toEqual([
      ['Y', '5m'],
      ['Z', '5m'],
    ]);
  });

  it('loads the example strategies from the real project', async () => {
    const loaded = await loadStrategies(
      ROOT,
      entries(
        { module: 'strategies/examples/simple_ma_cross', config: { symbols: ['ORCL'] } },
        { module: 'strategies/examples/rsi', config: { symbols: ['ORCL'] } },
        { module: 'strategies/examples/vwap', config: { symbols: ['ORCL'] } },
        { module: 'strategies/examples/buy_and_hold', config: { symbols: ['ORCL'] } },
      ),
    );
    expect(loaded.map((l) => l.strategy.name)).toEqual(['simple_ma_cross', 'rsi', 'vwap', 'buy_and_hold']);
  });

  it('skips disabled entries without resolving or validating them, keeping the others’ indexes', async () => {
    const loaded = await loadStrategies(
      PROJECT,
      entries(
        { module: 'strategies/does_not_exist', enabled: false, config: { nonsense: true } },
        { module: 'strategies/good_one', enabled: false, config: { symbols: [] } },
        { module: 'strategies/good_one', config: { symbols: ['X'] } },
      ),
    );
    expect(loaded.map((l) => [l.index, l.strategy.name])).toEqual([[2, 'good_one']]);
  });

  it('names the entry and the config path of each invalid strategy config value', async () => {
    expectError(
      await rejection(
        loadStrategies(
          PROJECT,
          entries({
            module: 'strategies/good_one',
            config: { symbols: ['X'], fast_period: 30, slow_period: 20 },
          }),
        ),
      ),
      'TF_ERR_STRATEGY_CONFIG',
      'strategies[0].config.fast_period: must be less than slow_period',
    );
    expectError(
      await rejection(
        loadStrategies(
          PROJECT,
          entries(
            { module: 'strategies/good_one', config: { symbols: ['X'] } },
            { module: 'strategies/good_one', name: 'two', config: { fast_period: 'ten' } },
          ),
        ),
      ),
      'TF_ERR_STRATEGY_CONFIG',
      'strategies[1].config.symbols: Invalid input: expected array, received undefined; strategies[1].config.fast_period: Invalid input: expected number, received string',
    );
    expectError(
      await rejection(
        loadStrategies(
          PROJECT,
          entries({ module: 'strategies/good_one', config: { symbols: ['X'], slow_priod: 50 } }),
        ),
      ),
      'TF_ERR_STRATEGY_CONFIG',
      'strategies[0].config: Unrecognized key: "slow_priod"',
    );
  });

  it('refuses two instances with the same name and accepts them once named apart', async () => {
    const same = entries(
      { module: 'strategies/good_one', config: { symbols: ['X'] } },
      { module: 'strategies/good_one', config: { symbols: ['Y'] } },
    );
    expectError(
      await rejection(loadStrategies(PROJECT, same)),
      'TF_ERR_CONFIG_INVALID',
      'strategies[1].name: "good_one" is already used by strategies[0]; give each instance a distinct "name"',
    );
    const explicit = entries(
      { module: 'strategies/good_one', config: { symbols: ['X'] } },
      { module: 'strategies/nested/deep_one', name: 'good_one', config: { symbols: ['Y'] } },
    );
    expectError(
      await rejection(loadStrategies(PROJECT, explicit)),
      'TF_ERR_CONFIG_INVALID',
      /^strategies\[1\]\.name: "good_one" is already used by strategies\[0\]/,
    );
    const apart = entries(
      { module: 'strategies/good_one', config: { symbols: ['X'] } },
      { module: 'strategies/good_one', name: 'good_two', config: { symbols: ['Y'] } },
    );
    expect((await loadStrategies(PROJECT, apart)).map((l) => l.strategy.name)).toEqual([
      'good_one',
      'good_two',
    ]);
  });

  it('names the entry whose module is missing, bad or outside strategies/', async () => {
    const good = { module: 'strategies/good_one', config: { symbols: ['X'] } };
    expectError(
      await rejection(loadStrategies(PROJECT, entries(good, { module: 'strategies/missing', config: {} }))),
      'TF_ERR_STRATEGY_NOT_FOUND',
      /^strategies\[1\]\.module: no strategy file for "strategies\/missing" \(looked for strategies\/missing\.ts, /,
    );
    expectError(
      await rejection(loadStrategies(PROJECT, entries(good, { module: '../secrets', config: {} }))),
      'TF_ERR_STRATEGY_NOT_FOUND',
      'strategies[1].module: "../secrets" leaves the strategies/ folder; strategy modules must live under strategies/',
    );
    expectError(
      await rejection(loadStrategies(PROJECT, entries({ module: 'strategies/misnamed', config: {} }))),
      'TF_ERR_STRATEGY_INVALID',
      /^strategies\[0\]\.module: strategies\/misnamed\.ts does not export class MisnamedStrategy/,
    );
  });

  it('reports a constructor that throws, keeping the cause', async () => {
    const e = await rejection(
      loadStrategies(
        PROJECT,
        entries({ module: 'strategies/throws_in_constructor', config: { symbols: ['X'] } }),
      ),
    );
    expectError(
      e,
      'TF_ERR_STRATEGY_INVALID',
      'strategies[0].module: constructing ThrowsInConstructorStrategy failed: constructor says no',
    );
    expect((e.cause as Error).message).toBe('constructor says no');
  });
});
