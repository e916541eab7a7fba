// Whether a live run can resume, and from what: the checks `tradeflow live --resume <run_id>` makes before
// anything runs, each failing with a message that says what stands in the way.
import type { SessionConfig } from '../config/session-config.ts';
import { TradeflowError } from '../core/errors.ts';
import type { RunStore } from '../storage/store.ts';
import type { ResumePlan } from './resume-restore.ts';

/** The parts of a session config a resumed run must share with the run it goes on with. */
const MUST_MATCH = ['data', 'strategies', 'broker', 'accounts'] as const;
/** How many differences a message lists at most. */
const MAX_LISTED = 5;

const fail = (message: string): never => {
  throw new TradeflowError('TF_ERR_RESUME', message);
};

/**
 * Reads what run `runId` committed and checks that it can go on with `config`: the run exists, is live, did
 * not complete, is not still running in a live process (runs whose process is gone were marked interrupted
 * when the store opened), and was started with the same data, strategies and accounts. Throws TF_ERR_RESUME
 * naming what stands in the way.
 */
export function planResume(store: RunStore, runId: string, config: SessionConfig): ResumePlan {
  const run = store.readRun(runId);
  if (run === undefined) {
    return fail(
      `no run "${runId}" in the run database; \`tradeflow live\` prints the id of the run it starts`,
    );
  }
  if (run.kind !== 'live') return fail(`run "${runId}" is a ${run.kind} run; only a live run resumes`);
  if (run.status === 'completed') {
    return fail(`run "${runId}" completed; start a new live run instead`);
  }
  if (run.status === 'running') {
    return fail(
      `run "${runId}" is still running in a live process; stop that process first (a run whose process is gone is marked interrupted)`,
    );
  }
  const differences = configDifferences(run.config, config);
  if (differences.length > 0) {
    const listed = differences.slice(0, MAX_LISTED).join('; ');
    const more = differences.length > MAX_LISTED ? ` (and ${differences.length - MAX_LISTED} more)` : '';
    return fail(
      `the session differs from the one run "${runId}" was started with: ${listed}${more}; resume with the session the run was started with`,
    );
  }
  const live = store.readLive(runId);
  return { run, state: live?.state, bars: live?.bars ?? [] };
}

/** Lists where `session` differs from the stored config in the parts that must match, as `path: run X, session Y`. */
export function configDifferences(stored: unknown, session: SessionConfig): string[] {
  const out: string[] = [];
  const was = (stored ?? {}) as Record<string, unknown>;
  // Through JSON, as the stored config went, so that an absent field and `undefined` are the same.
  const now = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
  for (const key of MUST_MATCH) diff(was[key], now[key], key, out);
  return out;
}

function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) diff(a[k], b[k], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path}: run ${show(a)}, session ${show(b)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function show(v: unknown): string {
  if (v === undefined) return 'none';
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
