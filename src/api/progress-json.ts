// The progress endpoint's body, written as text: each ticker's stored result is spliced in, not parsed
// and serialized again.
import type { ServiceRunHeader, TickerRow } from '../storage/service-run.ts';
import { runView } from './views.ts';

/**
 * The progress endpoint's body, written as text: it is the endpoint a UI polls, so it splices each
 * ticker's stored result JSON into its view instead of parsing and serializing it again. The same JSON as
 * `progressView`, key for key (a test holds the two together).
 */
export function tickerJson(r: TickerRow): string {
  const head = JSON.stringify({
    position: r.position,
    ticker: r.ticker,
    status: r.status === 'error' ? 'error' : 'ok',
    processed_at: new Date(r.processed_at).toISOString(),
    passed: r.passed === 1,
    score: r.score,
  });
  // The store writes `result` with JSON.stringify of an object (or null): `{...}`, `{}` or `null`.
  const result = r.result;
  if (result.length <= 2 || result[0] !== '{') return head;
  return `${head.slice(0, -1)},${result.slice(1)}`;
}

/**
 * Remembers the `last_results` text of each run by its completed count: the rows before `completed` are
 * written once and never change, so the same count means the same text. Bounded: the oldest entry goes.
 */
export class RecentResultsCache {
  readonly #max: number;
  readonly #entries = new Map<string, { readonly completed: number; readonly json: string }>();

  constructor(max = 256) {
    this.#max = max;
  }

  /** Returns the cached text for a run at `completed`, or builds it with `rows` and keeps it. */
  get(runId: string, completed: number, rows: () => readonly TickerRow[]): string {
    const hit = this.#entries.get(runId);
    if (hit?.completed === completed) return hit.json;
    const json = `[${rows().map(tickerJson).join(',')}]`;
    this.#entries.delete(runId);
    this.#entries.set(runId, { completed, json });
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return json;
  }
}

/** Returns the progress body of a run: its header view and `last_results` text. */
export function progressJson(h: ServiceRunHeader, lastResults: string, nowMs: number): string {
  return `${JSON.stringify(runView(h, nowMs)).slice(0, -1)},"last_results":${lastResults}}`;
}
