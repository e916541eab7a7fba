// What the screen and backtest routes answer about one run; `kind` limits a lookup to runs of that kind.
import type { FastifyReply } from 'fastify';
import { TradeflowError } from '../../core/errors.ts';
import type { ServiceRunHeader } from '../../storage/service-run.ts';
import type { ApiContext } from '../context.ts';
import { progressJson } from '../progress-json.ts';
import { backtestView, screenView } from '../views.ts';

/** How many ticker results the progress endpoint returns. */
export const RECENT_RESULTS = 10;

/** Returns a run's header, or throws TF_ERR_RUN_NOT_FOUND (also for a run of another kind when `kind` is set). */
export function headerOr404(ctx: ApiContext, id: string, kind?: ServiceRunHeader['kind']): ServiceRunHeader {
  const h = ctx.store.header(id);
  if (h === undefined || (kind !== undefined && h.kind !== kind)) {
    const what = kind === undefined ? 'run' : kind === 'screen' ? 'screen' : 'backtest';
    throw new TradeflowError('TF_ERR_RUN_NOT_FOUND', `no ${what} "${id}"`);
  }
  return h;
}

/** Returns a run's whole view: a screen with every ticker, a backtest with its result. */
export function detailView(ctx: ApiContext, id: string, kind?: ServiceRunHeader['kind']) {
  headerOr404(ctx, id, kind);
  const run = ctx.store.run(id);
  if (run === undefined) throw new TradeflowError('TF_ERR_RUN_NOT_FOUND', `no run "${id}"`);
  const now = ctx.clock.now();
  return run.kind === 'screen' ? screenView(run, ctx.store.tickerResults(id), now) : backtestView(run, now);
}

/**
 * Returns a run's progress view as JSON text (the endpoint a UI polls; see progress-json.ts); a backtest
 * running in this app adds its thread's `memory` (its result carries the same figures once it ends).
 */
export function progressOf(ctx: ApiContext, id: string, kind?: ServiceRunHeader['kind']): string {
  const h = headerOr404(ctx, id, kind);
  const last =
    h.kind === 'screen'
      ? ctx.recentResults.get(id, h.completed, () => ctx.store.recentTickerRows(id, RECENT_RESULTS))
      : '[]';
  const json = progressJson(h, last, ctx.clock.now());
  const memory = h.status === 'running' ? ctx.manager.memoryOf(id) : undefined;
  return memory === undefined ? json : `${json.slice(0, -1)},"memory":${JSON.stringify(memory)}}`;
}

/** Sends JSON text as it is. */
function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}

/** Cancels a run and answers its progress once its final status is recorded. */
export async function cancelRun(
  ctx: ApiContext,
  reply: FastifyReply,
  id: string,
  kind?: ServiceRunHeader['kind'],
) {
  headerOr404(ctx, id, kind);
  await ctx.manager.cancel(id);
  return sendJson(reply, progressOf(ctx, id, kind));
}

/** Answers a run's progress. */
export function sendProgress(
  ctx: ApiContext,
  reply: FastifyReply,
  id: string,
  kind?: ServiceRunHeader['kind'],
) {
  return sendJson(reply, progressOf(ctx, id, kind));
}
