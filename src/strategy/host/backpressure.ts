// Backpressure: a strategy that falls behind is counted, named once per kind, and paused if its entry says so.
import type { Logger } from '../../core/logger.ts';

/** What made a strategy fall behind. */
export type PressureKind = 'queue' | 'slow' | 'overruns' | 'readiness';

const WHY: Readonly<Record<PressureKind, string>> = {
  queue: 'its notification queue is above 80 % full',
  slow: 'its processing time per bar exceeds the time between bars',
  overruns: 'it keeps overrunning its steps',
  readiness: 'a backtest step kept waiting for it (over a second, or half its step_timeout_ms)',
};

/**
 * Counts backpressure events per strategy, warns once per strategy and kind (naming the strategy), and
 * pauses a strategy whose policy says so, so that one slow strategy does not hold back the others.
 */
export class BackpressureMonitor {
  readonly #log: Logger;
  readonly #pause: (strategy: string) => void;
  readonly #events = new Map<string, number>();
  readonly #warned = new Set<string>();
  #total = 0;

  constructor(log: Logger, pause: (strategy: string) => void) {
    this.#log = log;
    this.#pause = pause;
  }

  /** Records one event; the first of its kind for the strategy logs a warning and applies the policy. */
  report(strategy: string, kind: PressureKind, policy: 'warn' | 'pause', detail: string): void {
    this.#total++;
    this.#events.set(strategy, (this.#events.get(strategy) ?? 0) + 1);
    const key = `${strategy}\u0000${kind}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    const action = policy === 'pause' ? '; pausing it (on_backpressure: "pause")' : '';
    this.#log.warn(`backpressure: strategy ${strategy}: ${WHY[kind]} (${detail})${action}`);
    if (policy === 'pause') this.#pause(strategy);
  }

  /** Returns the events counted for a strategy. */
  events(strategy: string): number {
    return this.#events.get(strategy) ?? 0;
  }

  /** Returns all events counted. */
  get total(): number {
    return this.#total;
  }
}
