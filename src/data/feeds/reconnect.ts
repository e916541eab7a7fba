// When a feed retries a lost connection: exponential backoff with seeded jitter, a bounded number of
// attempts, and the defaults the session config's `live.reconnect` and `live.heartbeat_ms` give.
import type { z } from 'zod';
import type { ReconnectSchema } from '../../config/session-config.ts';
import { seededRandom } from '../../core/random.ts';

/** The reconnect policy, as the session config's `live.reconnect` holds it. */
export type ReconnectPolicy = z.output<typeof ReconnectSchema>;

/** The policy a feed follows when none is given (the config schema's defaults). */
export const DEFAULT_RECONNECT: ReconnectPolicy = { max_attempts: 10, initial_delay_ms: 500, max_delay_ms: 30_000 };

/** The heartbeat timeout a feed uses when none is given (the config schema's default). */
export const DEFAULT_HEARTBEAT_MS = 30_000;

/**
 * Returns the wait before retry `attempt` (1 for the first): the initial delay doubled per attempt and
 * capped at the maximum, of which the upper half is jitter ("equal jitter"), so that many clients cut off
 * at once do not come back at the same instant, yet none retries sooner than half its step.
 */
export function backoffDelayMs(policy: ReconnectPolicy, attempt: number, random: () => number): number {
  const step = Math.min(policy.max_delay_ms, policy.initial_delay_ms * 2 ** Math.min(attempt - 1, 52));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Counts the retries of one connection and says how long to wait before the next, or that none is left. */
export class Backoff {
  readonly #policy: ReconnectPolicy;
  readonly #random: () => number;
  #attempt = 0;

  constructor(policy: ReconnectPolicy, seed: number) {
    this.#policy = policy;
    this.#random = seededRandom(seed);
  }

  /** The retries used since the last success. */
  get attempts(): number {
    return this.#attempt;
  }

  /** Takes the next retry: its number and wait, or undefined when `max_attempts` are spent. */
  next(): { readonly attempt: number; readonly delayMs: number } | undefined {
    if (this.#attempt >= this.#policy.max_attempts) return undefined;
    this.#attempt++;
    return { attempt: this.#attempt, delayMs: backoffDelayMs(this.#policy, this.#attempt, this.#random) };
  }

  /** Starts counting again (a connection was made). */
  reset(): void {
    this.#attempt = 0;
  }
}
