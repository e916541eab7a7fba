// Example scheduled strategy: an SMA crossover over closes sampled on its ticks (`tick_interval`).
import { z } from 'zod';
import {
  BaseStrategy,
  baseStrategySchema,
  CrossOver,
  NO_SIGNALS,
  type Signal,
  Sma,
  type TickSnapshot,
} from 'tradeflow';

/** Config of TickMaCross: the two SMA periods, counted in samples (ticks that saw a new bar). */
export const configSchema = baseStrategySchema
  .extend({
    fast_period: z.number().int().min(1).default(10),
    slow_period: z.number().int().min(2).default(30),
  })
  .refine((c) => c.fast_period < c.slow_period, {
    path: ['fast_period'],
    message: 'must be less than slow_period',
  });

type Config = z.output<typeof configSchema>;

interface SymbolState {
  /** The close time of the last bar sampled. */
  lastTs: number;
  readonly fast: Sma;
  readonly slow: Sma;
  readonly cross: CrossOver;
}

/**
 * On each tick, samples the latest close of each symbol when its bar is newer than the one sampled last
 * (so a quiet market, a night or a weekend adds no samples), and trades the cross of a fast and a slow
 * SMA of the samples: buys `position_size` shares when the fast one crosses above while flat, closes when
 * it crosses back below. With a tick of the bars' interval it trades as `simple_ma_cross` on those bars;
 * with a longer one, on the close of each tick's latest bar.
 */
export class TickMaCrossStrategy extends BaseStrategy<Config> {
  readonly #state = new Map<string, SymbolState>();

  #of(symbol: string): SymbolState {
    let s = this.#state.get(symbol);
    if (s === undefined) {
      s = {
        lastTs: Number.NEGATIVE_INFINITY,
        fast: new Sma(this.config.fast_period),
        slow: new Sma(this.config.slow_period),
        cross: new CrossOver(),
      };
      this.#state.set(symbol, s);
    }
    return s;
  }

  onBars(): readonly Signal[] {
    return NO_SIGNALS;
  }

  override onTick(snapshot: TickSnapshot): readonly Signal[] {
    let out: Signal[] | undefined;
    for (const symbol of this.symbols) {
      const bar = snapshot.bars[`${symbol}@${this.config.interval}`];
      const s = this.#of(symbol);
      if (bar === undefined || bar.tsClose <= s.lastTs) continue;
      s.lastTs = bar.tsClose;
      const cross = s.cross.update(s.fast.update(bar.close), s.slow.update(bar.close));
      const held = this.ctx.position(symbol);
      if (held === 0 && cross > 0) {
        (out ??= []).push({
          symbol,
          action: 'BUY',
          quantity: this.config.position_size,
          reason: 'fast SMA crossed above slow SMA',
        });
      } else if (held > 0 && cross < 0) {
        (out ??= []).push({ symbol, action: 'CLOSE', reason: 'fast SMA crossed below slow SMA' });
      }
    }
    return out ?? NO_SIGNALS;
  }
}
