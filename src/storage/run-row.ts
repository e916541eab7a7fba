// The `runs` row: a run's start, end and summary encoded into it and read back.
import type { Position } from '../model/order.ts';
import type { RunStats, RunStatus } from '../model/run.ts';
import { num, oneOf } from './rows.ts';
import { currentOwner } from './run-owner.ts';
import type { RunEnd, RunStart, RunSummary } from './store.ts';

/** A row of `runs`: the run's header, its config and how it ended, with JSON columns as text. */
export interface RunRow {
  id: string;
  name: string;
  kind: string;
  status: string;
  config: string;
  started_at: number;
  ended_at: number | null;
  stats: string | null;
  error: string | null;
  open_positions: string;
  /** The process that started the run (run-owner.ts); null in runs recorded before owners were. */
  owner_pid: number | null;
  owner_host: string | null;
  owner_start: string | null;
  /** Rows of the run's batches that could not be stored (skipped_rows holds the first ones). */
  skipped_rows: number;
}

/** The columns of `runs` that ending a run sets. */
export type RunEndRow = Pick<RunRow, 'status' | 'ended_at' | 'stats' | 'error' | 'open_positions'>;

const KINDS: readonly RunStart['kind'][] = ['backtest', 'replay', 'live', 'screen'];
const STATUSES: readonly RunStatus[] = ['running', 'completed', 'failed', 'cancelled', 'interrupted'];

// Stats hold Infinity (profit factor with no losing trade), which plain JSON would turn into null.
const NON_FINITE: Readonly<Record<string, number>> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN };

/** Encodes run stats as JSON, keeping non-finite numbers. */
export function encodeStats(stats: RunStats): string {
  return JSON.stringify(stats, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
  );
}

/** Decodes run stats written by `encodeStats`. */
export function decodeStats(json: string): RunStats {
  return JSON.parse(json, (_k, v: unknown) =>
    typeof v === 'string' && Object.hasOwn(NON_FINITE, v) ? NON_FINITE[v] : v,
  ) as RunStats;
}

/** Encodes a JSON column; `undefined` becomes null, as JSON has no undefined. */
function encodeJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Encodes the row of a run that starts, owned by this process. */
export function encodeRunStart(run: RunStart): RunRow {
  const owner = currentOwner();
  return {
    id: run.id,
    name: run.name,
    kind: run.kind,
    status: 'running',
    config: encodeJson(run.config),
    started_at: num(run.startedAt, `run ${run.id}: startedAt`),
    ended_at: null,
    stats: null,
    error: null,
    open_positions: '[]',
    owner_pid: owner.pid,
    owner_host: owner.host,
    owner_start: owner.start,
    skipped_rows: 0,
  };
}

/** Encodes how a run ended. */
export function encodeRunEnd(runId: string, end: RunEnd): RunEndRow {
  return {
    status: end.status,
    ended_at: num(end.endedAt, `run ${runId}: endedAt`),
    stats: end.stats === undefined ? null : encodeStats(end.stats),
    error: end.error ?? null,
    open_positions: encodeJson(end.openPositions ?? []),
  };
}

/** Decodes a run row into its summary. */
export function decodeRunSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    name: r.name,
    kind: oneOf(r.kind, KINDS, 'run kind'),
    status: oneOf(r.status, STATUSES, 'run status'),
    startedAt: r.started_at,
    endedAt: r.ended_at,
    stats: r.stats === null ? null : decodeStats(r.stats),
    error: r.error,
    skippedRows: r.skipped_rows,
  };
}

/** Decodes the config column of a run row. */
export function decodeConfig(r: RunRow): unknown {
  return JSON.parse(r.config) as unknown;
}

/** Decodes the open positions column of a run row. */
export function decodePositions(r: RunRow): Position[] {
  return JSON.parse(r.open_positions) as Position[];
}
