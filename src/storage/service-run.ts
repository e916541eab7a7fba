// The API's runs as values: their kinds, their statuses and which may follow which, and their rows decoded.
import { TradeflowError } from '../core/errors.ts';

/** What an API run does: a screen over tickers, a backtest of a session, or a live or replay session. */
export type ServiceRunKind = 'screen' | 'backtest' | 'live' | 'replay';

/** Lifecycle state of an API run; RUN_TRANSITIONS says which follow which. */
export type ServiceRunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** Every run kind. */
export const SERVICE_RUN_KINDS: readonly ServiceRunKind[] = ['screen', 'backtest', 'live', 'replay'];

/** Every status, in lifecycle order. */
export const SERVICE_RUN_STATUSES: readonly ServiceRunStatus[] = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
];

/**
 * The allowed transitions, written once: anything else is refused with TF_ERR_RUN_STATE. A run left
 * queued or running by a crash becomes `interrupted` when the service starts; a screen resumes from there.
 */
export const RUN_TRANSITIONS: Readonly<Record<ServiceRunStatus, readonly ServiceRunStatus[]>> = {
  queued: ['running', 'cancelled', 'failed', 'interrupted'],
  running: ['completed', 'failed', 'cancelled', 'interrupted'],
  interrupted: ['running', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

/** Returns true for a status no transition leaves. */
export function isFinalStatus(status: ServiceRunStatus): boolean {
  return RUN_TRANSITIONS[status].length === 0;
}

/** Returns the statuses a run may be in to move to `to`. */
export function statusesBefore(to: ServiceRunStatus): ServiceRunStatus[] {
  return SERVICE_RUN_STATUSES.filter((s) => RUN_TRANSITIONS[s].includes(to));
}

/** Returns the error for a transition the table does not allow. */
export function transitionError(id: string, from: ServiceRunStatus, to: ServiceRunStatus): TradeflowError {
  const allowed = RUN_TRANSITIONS[from];
  return new TradeflowError(
    'TF_ERR_RUN_STATE',
    `run "${id}" is ${from}; it cannot become ${to}` +
      (allowed.length === 0 ? ' (it has ended)' : ` (from ${from} it can become ${allowed.join(', ')})`),
  );
}

/** A run's header: everything the progress endpoint and the run list show, without the large JSON columns. */
export interface ServiceRunHeader {
  readonly id: string;
  readonly kind: ServiceRunKind;
  readonly status: ServiceRunStatus;
  /** The screener's name, or the backtest session's name. */
  readonly strategy: string;
  readonly currentTicker: string | null;
  readonly completed: number;
  readonly total: number;
  /** 0-100 with two decimals. */
  readonly percent: number;
  readonly passed: number;
  readonly errors: number;
  /** Epoch ms from the service's clock. */
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly updatedAt: number;
  readonly endedAt: number | null;
  readonly error: string | null;
}

/** A whole run: its header, the request it ran and its result (a backtest's result JSON). */
export interface ServiceRun extends ServiceRunHeader {
  readonly parameters: unknown;
  readonly tickers: readonly string[];
  readonly result: unknown;
}

/** One ticker of a screen as recorded. `result` is the screener's result or the ticker's error. */
export interface TickerProgress {
  readonly runId: string;
  readonly position: number;
  readonly ticker: string;
  readonly processedAt: number;
  readonly passed: boolean;
  readonly score: number | null;
  /** The run's ticker count when this one was recorded. */
  readonly total: number;
  readonly status: 'ok' | 'error';
  readonly result: unknown;
}

/** A row of `service_runs` as SQLite returns it. */
export interface ServiceRunRow {
  id: string;
  kind: string;
  status: string;
  strategy: string;
  current_ticker: string | null;
  completed: number;
  total: number;
  percent: number;
  passed: number;
  errors: number;
  created_at: number;
  started_at: number | null;
  updated_at: number;
  ended_at: number | null;
  error: string | null;
  parameters?: string;
  tickers?: string;
  result?: string | null;
}

/** A row of `ticker_progress`. */
export interface TickerRow {
  run_id: string;
  position: number;
  ticker: string;
  processed_at: number;
  passed: number;
  score: number | null;
  total: number;
  status: string;
  result: string;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new TradeflowError('TF_ERR_STORAGE', `unknown ${what} "${value}" in the run database`);
}

/** Decodes a run header row. */
export function decodeHeader(r: ServiceRunRow): ServiceRunHeader {
  return {
    id: r.id,
    kind: oneOf(r.kind, SERVICE_RUN_KINDS, 'run kind'),
    status: oneOf(r.status, SERVICE_RUN_STATUSES, 'run status'),
    strategy: r.strategy,
    currentTicker: r.current_ticker,
    completed: r.completed,
    total: r.total,
    percent: r.percent,
    passed: r.passed,
    errors: r.errors,
    createdAt: r.created_at,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    endedAt: r.ended_at,
    error: r.error,
  };
}

/** Decodes a whole run row (selected with its JSON columns). */
export function decodeRun(r: ServiceRunRow): ServiceRun {
  return {
    ...decodeHeader(r),
    parameters: JSON.parse(r.parameters ?? 'null') as unknown,
    tickers: JSON.parse(r.tickers ?? '[]') as string[],
    result: r.result == null ? null : (JSON.parse(r.result) as unknown),
  };
}

/** Decodes a ticker row. */
export function decodeTicker(r: TickerRow): TickerProgress {
  return {
    runId: r.run_id,
    position: r.position,
    ticker: r.ticker,
    processedAt: r.processed_at,
    passed: r.passed === 1,
    score: r.score,
    total: r.total,
    status: r.status === 'error' ? 'error' : 'ok',
    result: JSON.parse(r.result) as unknown,
  };
}

/** Returns `completed` of `total` as a percentage with two decimals (100 for an empty run). */
export function percentOf(completed: number, total: number): number {
  return total > 0 ? Math.round((completed * 10_000) / total) / 100 : 100;
}
