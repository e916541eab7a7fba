// Marks the runs whose owning process is gone as interrupted: done by every writer that opens the run
// database, so a run killed with SIGKILL (or lost with its machine's power) does not stay `running`.
import type Database from 'better-sqlite3';
import { ownerGone } from './run-owner.ts';

interface RunningRow {
  id: string;
  owner_pid: number | null;
  owner_host: string | null;
  owner_start: string | null;
}

/**
 * Marks every `running` run whose owner is known to be gone as `interrupted`, ended at `nowMs`, with an error
 * that says so; returns the ids marked. Runs of this process, of other hosts and of processes that may still
 * live are left alone, and so are runs written before owners were recorded (nothing tells whose they are).
 */
export function markOrphanedRuns(db: Database.Database, nowMs: number): string[] {
  const running = db
    .prepare<[], RunningRow>(
      "SELECT id, owner_pid, owner_host, owner_start FROM runs WHERE status = 'running' AND owner_pid IS NOT NULL",
    )
    .all();
  const gone: { id: string; why: string }[] = [];
  for (const r of running) {
    if (r.owner_pid === null || r.owner_host === null) continue;
    const why = ownerGone({ pid: r.owner_pid, host: r.owner_host, start: r.owner_start });
    if (why !== undefined) gone.push({ id: r.id, why });
  }
  if (gone.length === 0) return [];
  const mark = db.prepare<[number, string, string]>(
    "UPDATE runs SET status = 'interrupted', ended_at = ?, error = ? WHERE id = ? AND status = 'running'",
  );
  const marked: string[] = [];
  db.transaction(() => {
    for (const g of gone) {
      const error = `interrupted: ${g.why} and the run never ended (killed or crashed); the events it recorded before are kept`;
      if (mark.run(nowMs, error, g.id).changes > 0) marked.push(g.id);
    }
  }).immediate();
  return marked;
}
