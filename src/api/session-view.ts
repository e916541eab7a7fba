// The JSON views of sessions the API answers with: a session's run header, how it runs, and its snapshot
// (accounts, positions, strategies, recent fills) in the API's snake_case.
import type { SessionSnapshot } from '../engine/session-snapshot.ts';
import type { ServiceRun, ServiceRunHeader } from '../storage/service-run.ts';
import { runView } from './views.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A session's figures as the API shows them, from its snapshot and its fill count. */
export function snapshotView(s: SessionSnapshot, fillCount: number) {
  return {
    paused: s.paused,
    steps: s.steps,
    last_bar_at: iso(s.lastBarMs),
    progress: s.progress,
    cash: s.cash,
    equity: s.equity,
    fill_count: fillCount,
    accounts: s.accounts.map((a) => ({
      name: a.name,
      cash: a.cash,
      equity: a.equity,
      positions: a.positions.map((p) => ({
        strategy: p.strategy,
        symbol: p.symbol,
        quantity: p.quantity,
        avg_price: p.avgPrice,
        last_price: p.lastPrice,
        unrealized_pnl: p.unrealizedPnl,
      })),
    })),
    strategies: s.strategies.map((m) => ({
      name: m.name,
      status: m.status,
      state: m.state,
      isolation: m.isolation,
      notifications: m.notifications,
      signals: m.signals,
      errors: m.errors,
      overruns: m.overruns,
      avg_ms: m.avgMs,
      p99_ms: m.p99Ms,
      ...(m.faultReason === undefined ? {} : { fault_reason: m.faultReason }),
    })),
    recent_fills: s.recentFills.map((f) => ({
      id: f.id,
      order_id: f.orderId,
      account: f.account,
      strategy: f.strategy,
      symbol: f.symbol,
      side: f.side,
      quantity: f.quantity,
      price: f.price,
      commission: f.commission,
      time: iso(f.ts),
    })),
  };
}

/** A session's figures, and whether they are the latest (a busy thread leaves the last ones read). */
export type SessionFigures = ReturnType<typeof snapshotView> & { readonly stale: boolean };

/** How a session runs, as its row keeps it. */
interface SessionParameters {
  readonly mode?: 'live' | 'replay';
  readonly speed?: number | null;
  readonly feed?: string | null;
}

/**
 * A session as JSON: its run header (its status `paused` while its engine is), how it runs, and its figures
 * (null while it loads its data and strategies).
 */
export function sessionView(
  h: ServiceRunHeader,
  parameters: unknown,
  figures: SessionFigures | null,
  nowMs: number,
) {
  const p = (parameters ?? {}) as SessionParameters;
  const base = runView(h, nowMs);
  return {
    ...base,
    status: h.status === 'running' && figures?.paused === true ? ('paused' as const) : base.status,
    mode: h.kind,
    speed: p.speed ?? null,
    feed: p.feed ?? null,
    ...(figures === null ? { snapshot: null } : { snapshot: figures }),
  };
}

/** Reads an ended session's last figures from its stored result (none for a run that failed early). */
export function storedFigures(run: ServiceRun): SessionFigures | null {
  const r = run.result as { snapshot?: SessionSnapshot; fillCount?: number } | null;
  if (r?.snapshot === undefined) return null;
  return { ...snapshotView(r.snapshot, r.fillCount ?? r.snapshot.recentFills.length), stale: false };
}
