// A strategy instance's lifecycle as one table: which state may follow which, and the error for any
// other move. A runner's status in metrics and results is read from here, never kept beside it.
import { TradeflowError } from '../../core/errors.ts';

/** Where a strategy instance is in its life; STRATEGY_TRANSITIONS says which follow which. */
export type StrategyState = 'loaded' | 'starting' | 'running' | 'paused' | 'stopping' | 'stopped' | 'faulted';

/** Every state, in lifecycle order. */
export const STRATEGY_STATES: readonly StrategyState[] = [
  'loaded',
  'starting',
  'running',
  'paused',
  'stopping',
  'stopped',
  'faulted',
];

/**
 * The allowed transitions, written once. A strategy whose setup refuses goes from `starting` to `stopped`;
 * a thread that crashes, overruns its step budget or does not stop in time becomes `faulted`, from any
 * state where it still runs. `stopped` and `faulted` are final.
 */
export const STRATEGY_TRANSITIONS: Readonly<Record<StrategyState, readonly StrategyState[]>> = {
  loaded: ['starting'],
  starting: ['running', 'stopped', 'faulted'],
  running: ['paused', 'stopping', 'faulted'],
  paused: ['running', 'stopping', 'faulted'],
  stopping: ['stopped', 'faulted'],
  stopped: [],
  faulted: [],
};

/** Returns the error for a transition the table does not allow. */
export function strategyTransitionError(
  name: string,
  from: StrategyState,
  to: StrategyState,
): TradeflowError {
  const allowed = STRATEGY_TRANSITIONS[from];
  return new TradeflowError(
    'TF_ERR_STRATEGY_STATE',
    `strategy ${name} is ${from}; it cannot become ${to}` +
      (allowed.length === 0 ? ' (it has ended)' : ` (from ${from} it can become ${allowed.join(', ')})`),
  );
}

/** How a strategy's run went, as metrics and results report it: the state its run left it in. */
export type RunStatus = 'running' | 'paused' | 'faulted';

/** One strategy instance's state, moved only along STRATEGY_TRANSITIONS. */
export class Lifecycle {
  readonly #name: string;
  #state: StrategyState = 'loaded';
  #reason: string | undefined;
  /** The state the strategy was stopped from: a run's figures read after teardown still say it was paused. */
  #stoppedFrom: RunStatus = 'running';

  constructor(name: string) {
    this.#name = name;
  }

  /** Returns the current state. */
  get state(): StrategyState {
    return this.#state;
  }

  /** Returns why the strategy is faulted or did not start, when it is. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /**
   * Returns the state the run left the strategy in: `faulted`, or `running`/`paused` (for a strategy that
   * has stopped since, the state it was stopped from).
   */
  get runStatus(): RunStatus {
    const s = this.#state;
    if (s === 'faulted' || s === 'paused') return s;
    return s === 'stopping' || s === 'stopped' ? this.#stoppedFrom : 'running';
  }

  /** Returns true while the strategy takes notifications (running, not paused). */
  get running(): boolean {
    return this.#state === 'running';
  }

  /** Returns true when the table allows moving to `to` now. */
  can(to: StrategyState): boolean {
    return STRATEGY_TRANSITIONS[this.#state].includes(to);
  }

  /** Moves to `to` (with why, for `stopped` before running and `faulted`); throws TF_ERR_STRATEGY_STATE otherwise. */
  to(to: StrategyState, reason?: string): void {
    if (!this.can(to)) throw strategyTransitionError(this.#name, this.#state, to);
    if (to === 'stopping' && this.#state === 'paused') this.#stoppedFrom = 'paused';
    this.#state = to;
    if (reason !== undefined) this.#reason = reason;
  }
}
