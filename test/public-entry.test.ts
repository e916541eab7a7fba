// Holds strategy modules to the public entry: they import 'tradeflow', zod and node: builtins only, so
// the rest of src/ stays free to change. Also checks that the entry resolves by name and is documented.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as byName from 'tradeflow';
import * as byPath from '../src/index.ts';
import { indexStrategyFiles } from '../src/strategy/loader.ts';
import { ROOT } from './helpers.ts';

/** The strategies folders whose modules the engine loads: the bundled ones, the fixtures', the bench's. */
const STRATEGY_DIRS = [
  'strategies',
  'test/fixtures/project/strategies',
  'test/fixtures/loader-project/strategies',
  'bench/strategies-root/strategies',
];

/**
 * Returns the module specifiers of `source` (static, re-export, side-effect and dynamic imports) that a
 * strategy module may not use: anything but 'tradeflow', 'zod', a node: builtin, or a relative path
 * that stays inside `strategiesDir` (one strategy building on another, as hybrid_momentum does).
 */
function strayImports(source: string, file: string, strategiesDir: string): string[] {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((spec) => {
      if (spec === 'tradeflow' || spec === 'zod' || spec.startsWith('node:')) return false;
      if (!spec.startsWith('./') && !spec.startsWith('../')) return true;
      const inside = relative(strategiesDir, resolve(dirname(file), spec));
      return inside.startsWith(`..${sep}`) || inside === '..';
    });
}

describe('strategy modules', () => {
  const files = STRATEGY_DIRS.flatMap((dir) =>
    [...indexStrategyFiles(join(ROOT, dir)).values()].flat().map((file) => ({ dir: join(ROOT, dir), file })),
  );

  it('import only from tradeflow, zod, node: builtins and other strategy modules', () => {
    expect(files.length).toBeGreaterThan(20);
    const stray = files.flatMap(({ dir, file }) =>
      strayImports(readFileSync(file, 'utf8'), file, dir).map((spec) => `${relative(ROOT, file)}: ${spec}`),
    );
    expect(stray).toEqual([]);
  });

  it('would be caught importing from src/, a bare package or a path out of strategies/', () => {
    const dir = join(ROOT, 'strategies');
    const file = join(dir, 'examples', 'deep.ts');
    const source = [
      "import { z } from 'zod';",
      "import { resolve } from 'node:path';",
      "import { BaseStrategy, type Signal } from 'tradeflow';",
      "import { MlMomentumStrategy } from '../ml/ml_momentum.ts';",
      "import type { BarSeriesView } from '../../src/data/session-data.ts';",
      "import { Sma } from 'tradeflow/src/indicators/sma.ts';",
      "import { readFileSync } from 'fs';",
      "export { Rsi } from '../../src/indicators/rsi.ts';",
      "import '../../scripts/setup.ts';",
      "const late = await import('../../src/core/clock.ts');",
    ].join('\n');
    expect(strayImports(source, file, dir)).toEqual([
      '../../src/data/session-data.ts',
      'tradeflow/src/indicators/sma.ts',
      'fs',
      '../../src/indicators/rsi.ts',
      '../../scripts/setup.ts',
      '../../src/core/clock.ts',
    ]);
  });
});

describe("the entry, 'tradeflow'", () => {
  it('resolves by the package name to src/index.ts, and nothing deeper does', () => {
    const require = createRequire(join(ROOT, 'package.json'));
    expect(require.resolve('tradeflow')).toBe(join(ROOT, 'src', 'index.ts'));
    expect(() => require.resolve('tradeflow/src/strategy/base-strategy.ts')).toThrow(
      expect.objectContaining({ code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' }),
    );
    expect(byName).toBe(byPath);
  });

  it('exports exactly the values strategies are meant to use', () => {
    // Growing the public surface is a decision: add the name here when you add it to src/index.ts.
    expect(Object.keys(byName).sort()).toEqual(
      [
        'Atr',
        'BREAKOUT_FEATURES',
        'BarFlags',
        'BreakoutFeatures',
        'BaseStrategy',
        'Bollinger',
        'CrossOver',
        'DECISION_POLICIES',
        'Ema',
        'ExactSum',
        'ExpSmoothing',
        'INTERVALS',
        'MEAN_REVERSION_FEATURES',
        'MOMENTUM_FEATURES',
        'Macd',
        'MeanReversionFeatures',
        'ModelStrategy',
        'MomentumFeatures',
        'NO_SIGNALS',
        'PerSymbol',
        'Rsi',
        'STRATEGY_TYPES',
        'Sma',
        'TradeflowError',
        'Vwap',
        'baseStrategySchema',
        'classNameForModule',
        'decisionPolicy',
        'hasMlCapability',
        'intervalMs',
        'isInterval',
        'isTradeflowError',
        'loadLogisticModelFile',
        'logisticProbability',
        'majorityVote',
        'modelStrategySchema',
        'unanimous',
      ].sort(),
    );
  });

  it('documents every export where it is declared', () => {
    const entry = join(ROOT, 'src', 'index.ts');
    const program = ts.createProgram([entry], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      allowImportingTsExtensions: true,
      noEmit: true,
      // Only the comments are read: no lib or @types to parse.
      noLib: true,
      types: [],
    });
    const checker = program.getTypeChecker();
    const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
    const exports = checker.getExportsOfModule(module);
    expect(exports.length).toBeGreaterThan(30);
    const undocumented = exports
      .filter(
        (s) => ts.displayPartsToString(checker.getAliasedSymbol(s).getDocumentationComment(checker)) === '',
      )
      .map((s) => s.name);
    expect(undocumented).toEqual([]);
  });
});
