// Why a run's worker thread ended without being asked to, and how the API says so.

/** Why a thread ended without being asked to. */
export type Death =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'heap'; readonly message: string }
  | { readonly kind: 'crash'; readonly message: string };

const RAISE_HEAP =
  'raise the limit (tradeflow serve --run-heap-mb) or run less data or fewer strategies at once';

/** Says why a run's thread ended before the run did. */
export function runDeath(d: Death, heapLimitMb: number): string {
  switch (d.kind) {
    case 'exit':
      return `the run's thread exited with code ${d.code} before the run ended (a strategy called process.exit, or its code ended the thread)`;
    case 'heap':
      return `the run went over its heap limit of ${heapLimitMb} MiB and its thread was ended (${d.message}); ${RAISE_HEAP}`;
    case 'crash':
      return `the run's thread crashed: ${d.message}`;
  }
}

/** Says why the thread checking a request's strategies ended before it answered. */
export function checkDeath(d: Death, heapLimitMb: number): string {
  switch (d.kind) {
    case 'exit':
      return `loading the strategy modules ended their thread with code ${d.code} (does a module call process.exit at import?); nothing ran`;
    case 'heap':
      return `loading the strategy modules went over the heap limit of ${heapLimitMb} MiB; ${RAISE_HEAP}`;
    case 'crash':
      return `loading the strategy modules crashed their thread: ${d.message}`;
  }
}
