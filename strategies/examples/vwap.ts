// Example strategy: intraday momentum against the session-anchored VWAP.
import { z } from 'zod';
import {
  type BarSeriesView,
  BaseStrategy,
  baseStrategySchema,
  type Interval,
  NO_SIGNALS,
  PerSymbol,
  type Signal,
  type StrategyContext,
  Vwap,
} from 'tradeflow';

/** Config of Vwap: how far above the session VWAP (in bps) the close must be to buy. */
export const configSchema = baseStrategySchema.extend({
  interval: baseStrategySchema.shape.interval.default('1m'),
  entry_bps: z.number().min(0).default(10),
  exit_on_new_session: z.boolean().default(true),
});

type Config = z.output<typeof configSchema>;

/**
 * Intraday momentum against the session-anchored VWAP: buys when the close rises `entry_bps` above
 * VWAP while flat, closes when the close falls back below VWAP, and closes a position carried into a new
 * session (whose VWAP starts afresh).
 */
export class VwapStrategy extends BaseStrategy<Config> {
  // VWAP is anchored to the session: a symbol that joins mid-run needs no warm-up.
  readonly #state = new PerSymbol<{ bars: BarSeriesView; vwap: Vwap; session: number }>((symbol) => ({
    bars: this.ctx.bars(symbol, this.config.interval),
    vwap: new Vwap(),
    session: NaN,
  }));

  override setup(ctx: StrategyContext): boolean {
    if (this.config.interval === '1d') {
      ctx.log.warn(`${this.name}: VWAP is anchored to the session, so it needs intraday bars, not 1d`);
      return false;
    }
    for (const symbol of this.symbols) this.#state.get(symbol);
    return true;
  }

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const s = this.#state.get(symbol);
    const { bars } = s;
    const ts = bars.time(-1);
    const close = bars.close(-1);
    const session = this.ctx.sessionOf(symbol, ts);
    const newSession = session !== s.session;
    s.session = session;
    const vwap = s.vwap.update(bars.high(-1), bars.low(-1), close, bars.volume(-1), session);
    const held = this.ctx.position(symbol);
    if (held > 0 && newSession && this.config.exit_on_new_session) {
      return [{ symbol, action: 'CLOSE', reason: 'position carried into a new session' }];
    }
    if (Number.isNaN(vwap)) return NO_SIGNALS;
    if (held === 0 && close > vwap * (1 + this.config.entry_bps / 10_000)) {
      return [
        {
          symbol,
          action: 'BUY',
          quantity: this.config.position_size,
          reason: `close ${close} above VWAP ${vwap.toFixed(4)}`,
        },
      ];
    }
    if (held > 0 && close < vwap)
      return [{ symbol, action: 'CLOSE', reason: `close ${close} below VWAP ${vwap.toFixed(4)}` }];
    return NO_SIGNALS;
  }
}
