import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../../src/core/errors.ts';
import { csvFeatureRows, onnxProbabilities } from '../../src/ml/bundled-model.fixture.ts';
import { backtest } from '../../test/helpers.ts';
import { configSchema } from './hybrid.ts';

// The hybrid type on real NVDA daily bars: the Bollinger mean-reversion rules paired with the ml_momentum
// model under each bundled policy, against a hand replay; and its config errors, each naming its path.

const FILE = 'data/daily/nvda-1999-2014.txt';
type Action = 'BUY' | 'CLOSE' | undefined;
type HandTrade = readonly [entryDate: string, entryPrice: number, exitDate: string, exitPrice: number];

const hybridEntry = (config: Readonly<Record<string, unknown>>, isolation = 'inline') => ({
  type: 'hybrid',
  isolation,
  config: {
    symbols: ['NVDA'],
    position_size: 100,
    rules: { type: 'mean_reversion' },
    ml: { type: 'ml_momentum' },
    ...config,
  },
});
const sessionOf = (...strategies: unknown[]) => ({ data: [{ symbol: 'NVDA', file: FILE }], strategies });
const round6 = (x: number) => Number(x.toFixed(6));
const tradesOf = (result: Awaited<ReturnType<typeof backtest>>['result'], strategy: string) =>
  result.trades
    .filter((t) => t.strategy === strategy)
    .map((t) => [
      t.entry_time.slice(0, 10),
      round6(t.entry_price),
      t.exit_time.slice(0, 10),
      round6(t.exit_price),
    ]);

/**
 * Replays the hybrid by hand over the CSV: the rules (Bollinger(20, 2) on the closes: buy below the lower
 * band while flat, close at the middle band while long, confidence 0.6), the model (onnxruntime's P(up):
 * BUY at >= 0.55 with confidence p, CLOSE at <= 0.45 with confidence 1 - p), the policy as stated in
 * docs/ml.md, and each decision filled at the next bar's open.
 */
async function handReplay(
  policy: (rules: Action, ml: Action, mlConfidence: number) => Action,
  withModel = true,
): Promise<HandTrade[]> {
  const { bars, rows } = csvFeatureRows('daily/nvda-1999-2014.txt');
  const p = await onnxProbabilities(rows.map((r) => r.values));
  const prob = new Map(rows.map((r, k) => [r.i, p[k]!]));
  const c = bars.close;
  const trades: HandTrade[] = [];
  let entry: { date: string; price: number } | undefined;
  for (let i = 19; i + 1 < c.length; i++) {
    const w = c.slice(i - 19, i + 1);
    const mid = w.reduce((a, b) => a + b, 0) / 20;
    const sd = Math.sqrt(w.reduce((a, b) => a + (b - mid) ** 2, 0) / 20);
    const rules: Action =
      !entry && c[i]! < mid - 2 * sd ? 'BUY' : entry && c[i]! >= mid ? 'CLOSE' : undefined;
    const pi = withModel ? prob.get(i) : undefined;
    const ml: Action = pi === undefined ? undefined : pi >= 0.55 ? 'BUY' : pi <= 0.45 ? 'CLOSE' : undefined;
    const action = policy(rules, ml, pi === undefined ? 0 : ml === 'BUY' ? pi : 1 - pi);
    const next = { date: bars.date[i + 1]!, price: bars.open[i + 1]! };
    if (!entry && action === 'BUY') entry = next;
    else if (entry && action === 'CLOSE') {
      trades.push([entry.date, entry.price, next.date, next.price]);
      entry = undefined;
    }
  }
  return trades;
}

const errorOf = (config: Readonly<Record<string, unknown>>) =>
  backtest(sessionOf(hybridEntry({}), hybridEntry(config))).then(
    () => undefined,
    (e: unknown) => e as Error,
  );

describe('the hybrid type: any rules type with any ML type, by a policy from the config', () => {
  it.each(['inline', 'thread'])(
    'majority_vote: agreement acts, a model 0.55 sure wins, else the rules (%s)',
    async (iso) => {
      const { result } = await backtest(
        sessionOf(hybridEntry({ policy: { name: 'majority_vote', min_ml_confidence: 0.55 } }, iso)),
      );
      const hand = await handReplay((rules, ml, mlConfidence) =>
        rules !== undefined && rules === ml ? rules : ml !== undefined && mlConfidence >= 0.55 ? ml : rules,
      );
      expect(hand).toHaveLength(82);
      expect(tradesOf(result, 'hybrid')).toEqual(hand);
    },
  );

  it('unanimous: acts only when the rules and the model give the same action', async () => {
    const { result } = await backtest(sessionOf(hybridEntry({ policy: { name: 'unanimous' } })));
    const hand = await handReplay((rules, ml) => (rules !== undefined && rules === ml ? rules : undefined));
    expect(hand).toHaveLength(12);
    expect(tradesOf(result, 'hybrid')).toEqual(hand);
  });

  it('a min_ml_confidence above any probability leaves majority_vote to the rules and agreement', async () => {
    const config = { policy: { name: 'majority_vote', min_ml_confidence: 1 } };
    const { result } = await backtest(sessionOf(hybridEntry(config)));
    const hand = await handReplay((rules, ml) => (rules !== undefined && rules === ml ? rules : rules));
    expect(tradesOf(result, 'hybrid')).toEqual(hand);
    expect(hand).toHaveLength(55);
  });

  it('trades its rules alone without a model: the same trades as the rules type on its own', async () => {
    const { result, log } = await backtest(
      sessionOf(hybridEntry({ ml: { type: 'ml_momentum', config: { model_path: 'models/missing.onnx' } } }), {
        type: 'mean_reversion',
        config: { symbols: ['NVDA'], position_size: 100 },
      }),
    );
    expect(log.records.filter((r) => r.level === 'warn').map((r) => r.msg)).toEqual([
      'strategy hybrid: the model did not load, running degraded on its rules: model file models/missing.onnx does not exist',
    ]);
    const hand = await handReplay((rules) => rules, false);
    expect(hand).toHaveLength(55);
    expect(tradesOf(result, 'hybrid')).toEqual(hand);
    expect(tradesOf(result, 'mean_reversion')).toEqual(hand);
  });

  it('pairs other types too: sma_cross rules with the ml_breakout model', async () => {
    const { result } = await backtest(
      sessionOf(
        hybridEntry({
          rules: { type: 'sma_cross', config: { fast_period: 5 } },
          ml: { type: 'ml_breakout' },
        }),
      ),
    );
    expect(result.strategies.map((s) => [s.name, s.status])).toEqual([['hybrid', 'ran']]);
    expect(result.trades.length).toBeGreaterThan(0);
  });
});

describe('hybrid config errors name the path', () => {
  it.each([
    [
      { ml: { type: 'x' } },
      'strategies[1].config.ml.type: unknown ml type "x"; known: ml_momentum, ml_mean_reversion, ml_breakout',
    ],
    [
      { rules: { type: 'ml_momentum' } },
      'strategies[1].config.rules.type: unknown rules type "ml_momentum"; known: momentum, mean_reversion, rsi, sma_cross, bracket_breakout',
    ],
    [
      { rules: { type: 'sma_cross', config: { fast_period: 30, slow_period: 20 } } },
      'strategies[1].config.rules.config.fast_period: must be less than slow_period',
    ],
    [
      { ml: { type: 'ml_momentum', config: { buy_threshold: 2 } } },
      'strategies[1].config.ml.config.buy_threshold: Too big: expected number to be <1',
    ],
    [
      { rules: { type: 'rsi', config: { symbols: ['X'] } } },
      'strategies[1].config.rules.config.symbols: the parts use the hybrid\'s "symbols"; set it there',
    ],
    [
      { ml: { type: 'ml_breakout', config: { interval: '1h' } } },
      'strategies[1].config.ml.config.interval: the parts use the hybrid\'s "interval"; set it there',
    ],
    [
      { policy: { name: 'coin_flip' } },
      'strategies[1].config.policy.name: Invalid option: expected one of "majority_vote"|"unanimous"',
    ],
    [{ ml: undefined }, 'strategies[1].config.ml: Invalid input: expected object, received undefined'],
  ])('%j', async (config, message) => {
    const e = await errorOf(config);
    expect(isTradeflowError(e, 'TF_ERR_STRATEGY_CONFIG')).toBe(true);
    expect(e?.message).toBe(message);
  });

  it('applies its defaults', () => {
    const c = configSchema.parse({ symbols: ['NVDA'], rules: { type: 'rsi' }, ml: { type: 'ml_breakout' } });
    expect(c).toEqual({
      symbols: ['NVDA'],
      interval: '1d',
      position_size: 1,
      rules: { type: 'rsi', config: {} },
      ml: { type: 'ml_breakout', config: {} },
      policy: { name: 'majority_vote', min_ml_confidence: 0.6, rules_confidence: 0.6 },
      require_model: false,
    });
  });
});
