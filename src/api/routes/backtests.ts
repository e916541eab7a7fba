// The backtest routes under /api/backtests: start a run (waiting for it or not), list, read, follow and
// cancel runs.
import type { FastifyInstance } from 'fastify';
import { checkBacktestConfig } from '../backtest-request.ts';
import type { StartedRun } from '../run-manager.ts';
import type { RunThread } from '../run-thread.ts';
import type { ApiContext } from '../context.ts';
import { BacktestListQuerySchema, BacktestRequestSchema, RunParamsSchema } from '../schemas.ts';
import { parseRequest } from '../validate.ts';
import { acceptedView, listView } from '../views.ts';
import { cancelRun, detailView, headerOr404, sendProgress } from './run-answers.ts';

/** Registers the backtest routes under /api/backtests. */
export function registerBacktestRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/api/backtests', async (request, reply) => {
    const body = parseRequest(BacktestRequestSchema, request.body);
    ctx.manager.ensureCapacity();
    // The strategies are checked in the thread that will run them: their modules' code never runs here.
    let thread: RunThread | undefined;
    let started: StartedRun;
    try {
      const session = await checkBacktestConfig(body.config, ctx.root, ctx.limits, (config) => {
        thread = ctx.manager.takeThread();
        return thread.check(config, ctx.root, ctx.limits.checkTimeoutMs);
      });
      if (thread === undefined) throw new Error('the strategies were not checked');
      started = ctx.manager.startBacktest(session, thread);
    } catch (e) {
      if (thread !== undefined) ctx.manager.releaseThread(thread);
      throw e;
    }
    if (body.async) {
      const h = headerOr404(ctx, started.runId);
      return reply
        .code(202)
        .header('location', `/api/backtests/${started.runId}`)
        .send(acceptedView(h, ctx.clock.now()));
    }
    await started.done;
    const view = detailView(ctx, started.runId, 'backtest');
    return reply.code(200).send(view);
  });

  app.get('/api/backtests', (request) => {
    const q = parseRequest(BacktestListQuerySchema, request.query);
    const page = ctx.store.list({ kind: 'backtest', limit: q.limit, offset: q.offset });
    return listView(page.runs, { total: page.total, limit: q.limit, offset: q.offset }, ctx.clock.now());
  });

  app.get('/api/backtests/:id', (request) => {
    const { id } = parseRequest(RunParamsSchema, request.params);
    return detailView(ctx, id, 'backtest');
  });

  app.get('/api/backtests/:id/progress', (request, reply) => {
    const { id } = parseRequest(RunParamsSchema, request.params);
    return sendProgress(ctx, reply, id, 'backtest');
  });

  app.post('/api/backtests/:id/cancel', async (request, reply) => {
    const { id } = parseRequest(RunParamsSchema, request.params);
    return cancelRun(ctx, reply, id, 'backtest');
  });
}
