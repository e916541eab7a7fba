// The host's execution listener: a strategy in a thread reads its positions in place, so every fill in
// its first account (the one its context reads) is copied into its shared state.
import type { Fill } from '../../model/order.ts';
import type { StrategyRunner } from './runner.ts';

/** Copies each fill's resulting position to the runner of the strategy that filled. */
export class PositionMirror {
  /** Each strategy's first account, by strategy name. */
  readonly #homes: ReadonlyMap<string, string>;
  readonly #symbolIds: Map<string, number>;
  readonly #runners = new Map<string, StrategyRunner>();

  constructor(homes: ReadonlyMap<string, string>, symbols: readonly string[]) {
    this.#homes = homes;
    this.#symbolIds = new Map(symbols.map((s, i) => [s, i]));
  }

  /** Mirrors a started strategy's positions from now on. */
  track(runner: StrategyRunner): void {
    this.#runners.set(runner.name, runner);
  }

  /** Takes note of a symbol that joined the session (it takes the next symbol id). */
  addSymbol(symbol: string): void {
    this.#symbolIds.set(symbol, this.#symbolIds.size);
  }

  /** Hears of a fill and the position it leaves the strategy with in the fill's account. */
  onFill(fill: Fill, position: number): void {
    this.restore(fill.account, fill.strategy, fill.symbol, position);
  }

  /** Copies a strategy's position in an account (a fill, or a resumed run's books) when it is its home. */
  restore(account: string, strategy: string, symbol: string, position: number): void {
    if (this.#homes.get(strategy) !== account) return;
    this.#runners.get(strategy)?.setPosition(this.#symbolIds.get(symbol) ?? -1, position);
  }
}
