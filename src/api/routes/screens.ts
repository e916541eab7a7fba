// The screener routes under /api/strategies: execute a screen, then list, read, follow, cancel and resume
// runs.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.ts';
import { InvalidRequestError } from '../errors.ts';
import { ExecuteRequestSchema, ListQuerySchema, RunParamsSchema } from '../schemas.ts';
import { parseRequest, problemsOf } from '../validate.ts';
import { acceptedView, listView } from '../views.ts';
import { cancelRun, detailView, headerOr404, sendProgress } from './run-answers.ts';

/**
 * Validates an execute request in one pass where it can: the body's fields and the screener's name
 * together, then the parameters against that screener's schema (with paths under `parameters`).
 */
function parseExecute(ctx: ApiContext, raw: unknown) {
  const r = ExecuteRequestSchema.safeParse(raw);
  const problems = r.success ? [] : problemsOf(r.error);
  const name = (raw as { strategy?: unknown } | null)?.strategy;
  const screener =
    typeof name === 'string' && Object.hasOwn(ctx.screeners, name) ? ctx.screeners[name] : undefined;
  if (typeof name === 'string' && name !== '' && screener === undefined) {
    const known = Object.keys(ctx.screeners).sort().join(', ');
    problems.push({ path: 'strategy', message: `unknown screener "${name}"; known: ${known}` });
  }
  if (!r.success || screener === undefined) throw new InvalidRequestError(problems);
  const config = parseRequest(screener.configSchema, r.data.parameters, 'parameters');
  return { body: r.data, screener, config };
}

/** Registers the screener routes under /api/strategies (runs of either kind are readable there). */
export function registerScreenRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/api/strategies/execute', async (request, reply) => {
    const { body, screener, config } = parseExecute(ctx, request.body);
    const started = ctx.manager.startScreen({ screener, config, tickers: body.tickers });
    if (body.async) {
      const h = headerOr404(ctx, started.runId);
      return reply
        .code(202)
        .header('location', `/api/strategies/runs/${started.runId}`)
        .send(acceptedView(h, ctx.clock.now()));
    }
    await started.done;
    const view = detailView(ctx, started.runId);
    return reply.code(200).send(view);
  });

  app.get('/api/strategies/runs', (request) => {
    const q = parseRequest(ListQuerySchema, request.query);
    const page = ctx.store.list({ kind: q.kind, limit: q.limit, offset: q.offset });
    return listView(page.runs, { total: page.total, limit: q.limit, offset: q.offset }, ctx.clock.now());
  });

  app.get('/api/strategies/runs/:id', (request) => {
    const { id } = parseRequest(RunParamsSchema, request.params);
    return detailView(ctx, id);
  });

  app.get('/api/strategies/runs/:id/progress', (request, reply) => {
    const { id } = parseRequest(RunParamsSchema, request.params);
    return sendProgress(ctx, reply, id);
  });

  app.post('/api/strategies/runs/:id/cancel', async (request, reply) => {
    const { id } = parseRequest(RunParamsSchema, request.params);
    return cancelRun(ctx, reply, id);
  });

  app.post('/api/strategies/runs/:id/resume', (request, reply) => {
    const { id } = parseRequest(RunParamsSchema, request.params);
    const started = ctx.manager.resumeScreen(id, ctx.screeners);
    const h = headerOr404(ctx, id);
    return reply.code(202).send({ ...acceptedView(h, ctx.clock.now()), resumed_from: started.from });
  });
}
