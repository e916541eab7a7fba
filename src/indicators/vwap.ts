// The session-anchored VWAP indicator, restarting when a new session begins.

/** Names a session for {@link Vwap}: any value that changes exactly when a new session starts. */
export type VwapSessionKey = string | number;

/**
 * Computes a session-anchored volume-weighted average price: the volume-weighted mean of the typical
 * price `(high + low + close) / 3` since the session began. It restarts on the first update whose
 * `sessionKey` differs from the previous one. Bars with zero volume leave it unchanged; it is NaN
 * until the session has traded some volume.
 */
export class Vwap {
  #session: VwapSessionKey | undefined = undefined;
  #priceVolume = 0;
  #volume = 0;
  #value = NaN;

  /** Adds the next bar and returns the session VWAP (NaN until the session has volume). */
  update(high: number, low: number, close: number, volume: number, sessionKey: VwapSessionKey): number {
    if (sessionKey !== this.#session) {
      this.#session = sessionKey;
      this.#priceVolume = 0;
      this.#volume = 0;
      this.#value = NaN;
    }
    if (volume === 0) return this.#value;
    this.#priceVolume += ((high + low + close) / 3) * volume;
    this.#volume += volume;
    this.#value = this.#priceVolume / this.#volume;
    return this.#value;
  }

  /** Returns the current session VWAP, NaN until the session has volume. */
  get value(): number {
    return this.#value;
  }

  /** Returns true once the current session has traded some volume. */
  get isReady(): boolean {
    return this.#volume > 0;
  }

  /** Forgets the session and all inputs. */
  reset(): void {
    this.#session = undefined;
    this.#priceVolume = 0;
    this.#volume = 0;
    this.#value = NaN;
  }
}
