// A Timer whose time moves only when a test moves it, so paced feeds are tested by counts, not by waiting.
import type { Timer } from './clock.ts';

/** A Timer for tests: `advance` runs the callbacks that fall due, in time order. */
export class ManualTimer implements Timer {
  #nowMs = 0;
  #seq = 0;
  #due: { at: number; seq: number; fn: () => void }[] = [];

  nowMs(): number {
    return this.#nowMs;
  }

  after(ms: number, fn: () => void): () => void {
    const item = { at: this.#nowMs + Math.max(0, ms), seq: this.#seq++, fn };
    this.#due.push(item);
    return () => {
      this.#due = this.#due.filter((d) => d !== item);
    };
  }

  /** Callbacks waiting. */
  get pending(): number {
    return this.#due.length;
  }

  /** Moves time forward by `ms`, running every callback due by then (and those they schedule, if due). */
  advance(ms: number): void {
    const until = this.#nowMs + ms;
    for (;;) {
      const next = [...this.#due].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined || next.at > until) break;
      this.#due = this.#due.filter((d) => d !== next);
      if (next.at > this.#nowMs) this.#nowMs = next.at;
      next.fn();
    }
    this.#nowMs = until;
  }
}
