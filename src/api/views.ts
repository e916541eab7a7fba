// The JSON views of runs the API answers with: a run's header, its tickers, progress, lists and results.
import type { ServiceRun, ServiceRunHeader, TickerProgress } from '../storage/service-run.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Returns the URL prefix of a run's endpoints. */
export function runBase(run: { readonly kind: ServiceRunHeader['kind']; readonly id: string }): string {
  if (run.kind === 'live' || run.kind === 'replay') return `/api/sessions/${run.id}`;
  return run.kind === 'backtest' ? `/api/backtests/${run.id}` : `/api/strategies/runs/${run.id}`;
}

/** A run's header as JSON: the fields every run view shares. */
export function runView(h: ServiceRunHeader, nowMs: number) {
  const elapsed = h.startedAt === null ? 0 : Math.max(0, (h.endedAt ?? nowMs) - h.startedAt);
  return {
    run_id: h.id,
    kind: h.kind,
    status: h.status,
    strategy: h.strategy,
    current_ticker: h.currentTicker,
    completed: h.completed,
    total: h.total,
    percent: h.percent,
    passed: h.passed,
    errors: h.errors,
    created_at: iso(h.createdAt),
    started_at: iso(h.startedAt),
    updated_at: iso(h.updatedAt),
    ended_at: iso(h.endedAt),
    elapsed_ms: elapsed,
    error: h.error,
  };
}

/** One ticker of a screen as JSON: the screener's result fields, or its error. */
export function tickerView(t: TickerProgress) {
  const result = (t.result ?? {}) as Record<string, unknown>;
  return {
    position: t.position,
    ticker: t.ticker,
    status: t.status,
    processed_at: iso(t.processedAt),
    passed: t.passed,
    score: t.score,
    ...result,
  };
}

/** The progress of a run: its header and its last tickers, newest first. */
export function progressView(h: ServiceRunHeader, recent: readonly TickerProgress[], nowMs: number) {
  return { ...runView(h, nowMs), last_results: recent.map(tickerView) };
}

/** A whole screen: header, request and every ticker in order. */
export function screenView(run: ServiceRun, tickers: readonly TickerProgress[], nowMs: number) {
  return {
    ...runView(run, nowMs),
    parameters: run.parameters,
    tickers: run.tickers,
    results: tickers.map(tickerView),
  };
}

/** A whole backtest: header, its session config and its result (null until it has one). */
export function backtestView(run: ServiceRun, nowMs: number) {
  return { ...runView(run, nowMs), config: run.parameters, result: run.result };
}

/** What an asynchronous start answers (202): where to poll. */
export function acceptedView(h: ServiceRunHeader, nowMs: number) {
  const base = runBase(h);
  return {
    ...runView(h, nowMs),
    progress_url: `${base}/progress`,
    results_url: base,
    cancel_url: `${base}/cancel`,
  };
}

/** One page of runs. */
export function listView(
  runs: readonly ServiceRunHeader[],
  page: { total: number; limit: number; offset: number },
  nowMs: number,
) {
  const next = page.offset + runs.length;
  return {
    runs: runs.map((r) => runView(r, nowMs)),
    total: page.total,
    limit: page.limit,
    offset: page.offset,
    next_offset: next < page.total ? next : null,
  };
}
