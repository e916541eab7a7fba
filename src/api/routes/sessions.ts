// The session routes under /api/sessions: start a live or replay session, list and read sessions (their
// figures asked of the running engine), and pause, resume or stop a session or one of its strategies.
import type { FastifyInstance } from 'fastify';
import { delay, monotonicMs } from '../../core/clock.ts';
import { TradeflowError } from '../../core/errors.ts';
import { isFinalStatus, type ServiceRunHeader } from '../../storage/service-run.ts';
import type { ApiContext } from '../context.ts';
import type { SessionAction } from '../run-protocol.ts';
import type { RunThread } from '../run-thread.ts';
import {
  SessionListQuerySchema,
  SessionRequestSchema,
  SessionStrategyParamsSchema,
  RunParamsSchema,
} from '../schemas.ts';
import { checkSessionRequest } from '../session-request.ts';
import { type SessionFigures, sessionView, snapshotView, storedFigures } from '../session-view.ts';
import { parseRequest } from '../validate.ts';
import { sendProgress } from './run-answers.ts';

/** How long a session's thread may take to answer; a busy one leaves its last figures shown as stale. */
const ASK_MS = 1000;
/** How long POST /api/sessions waits for the session to run before it answers all the same. */
const START_WAIT_MS = 30_000;
const START_POLL_MS = 20;

/** Registers the session routes under /api/sessions. */
export function registerSessionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  /** The last figures read of each running session: shown (stale) while its thread is too busy to answer. */
  const last = new Map<string, SessionFigures>();

  const headerOf = (id: string): ServiceRunHeader => {
    const h = ctx.store.header(id);
    if (h === undefined || (h.kind !== 'live' && h.kind !== 'replay')) {
      throw new TradeflowError('TF_ERR_RUN_NOT_FOUND', `no session "${id}"; GET /api/sessions lists them`);
    }
    return h;
  };

  const figuresOf = async (h: ServiceRunHeader): Promise<SessionFigures | null> => {
    if (h.status === 'running') {
      const reply = await ctx.manager.askSession(h.id, { kind: 'snapshot' }, ASK_MS);
      if (reply?.ok === true) {
        const figures = { ...snapshotView(reply.snapshot, reply.fillCount), stale: false };
        last.set(h.id, figures);
        return figures;
      }
      const seen = last.get(h.id);
      if (reply === undefined && seen !== undefined) return { ...seen, stale: true };
      if (ctx.store.header(h.id)?.status === 'running') return null;
    }
    last.delete(h.id);
    const run = ctx.store.run(h.id);
    return run === undefined ? null : storedFigures(run);
  };

  /** Answers a session's view, its header read after its figures (a session may end in between). */
  const viewOf = async (id: string) => {
    const figures = await figuresOf(headerOf(id));
    const run = ctx.store.run(id);
    if (run === undefined) throw new TradeflowError('TF_ERR_RUN_NOT_FOUND', `no session "${id}"`);
    return sessionView(run, run.parameters, figures, ctx.clock.now());
  };

  /** Acts on a running session, or says why it cannot (409, or 404 for a strategy it lacks). */
  const control = async (id: string, action: SessionAction, what: string) => {
    const h = headerOf(id);
    const notRunning = (status: string) =>
      new TradeflowError(
        'TF_ERR_RUN_STATE',
        `session "${id}" is ${status}; only a running session can ${what}`,
      );
    if (h.status !== 'running') throw notRunning(h.status);
    const asked = ctx.manager.askSession(id, action, ASK_MS);
    if (asked === undefined) throw notRunning(headerOf(id).status);
    const reply = await asked;
    if (reply === undefined) {
      const now = headerOf(id).status;
      if (now !== 'running') throw notRunning(now);
      throw new TradeflowError(
        'TF_ERR_RUN_STATE',
        `session "${id}" did not answer within ${ASK_MS} ms (its thread is busy); try again`,
      );
    }
    if (!reply.ok) {
      if (reply.why === 'unknown-strategy') {
        throw new TradeflowError('TF_ERR_SESSION_STRATEGY_NOT_FOUND', `session "${id}": ${reply.message}`);
      }
      throw new TradeflowError(
        'TF_ERR_RUN_STATE',
        `session "${id}": ${reply.message}; try again in a moment`,
      );
    }
    last.set(id, { ...snapshotView(reply.snapshot, reply.fillCount), stale: false });
    return viewOf(id);
  };

  app.post('/api/sessions', async (request, reply) => {
    const body = parseRequest(SessionRequestSchema, request.body);
    ctx.manager.ensureCapacity();
    // The strategies are checked in the thread that will run them: their modules' code never runs here.
    let thread: RunThread | undefined;
    let runId: string;
    try {
      const start = await checkSessionRequest(body, ctx.root, ctx.limits, (config) => {
        thread = ctx.manager.takeThread();
        return thread.check(config, ctx.root, ctx.limits.checkTimeoutMs);
      });
      if (thread === undefined) throw new Error('the strategies were not checked');
      runId = ctx.manager.startInThread(start.session, thread, {
        kind: start.mode,
        parameters: start.parameters,
        session: {
          ...(start.speed === undefined ? {} : { speed: start.speed }),
          ...(start.feed === undefined ? {} : { feed: start.feed }),
        },
      }).runId;
    } catch (e) {
      if (thread !== undefined) ctx.manager.releaseThread(thread);
      throw e;
    }
    // Answered once the session runs (its data loaded, its strategies set up) or has ended, so that a
    // client's next request finds it under control.
    const deadline = monotonicMs() + START_WAIT_MS;
    for (;;) {
      const asked = ctx.manager.askSession(runId, { kind: 'snapshot' }, ASK_MS);
      const answer = asked === undefined ? undefined : await asked;
      if (asked === undefined || answer?.ok === true || monotonicMs() > deadline) break;
      await delay(START_POLL_MS).promise;
    }
    return reply
      .code(201)
      .header('location', `/api/sessions/${runId}`)
      .send(await viewOf(runId));
  });

  app.get('/api/sessions', async (request) => {
    const q = parseRequest(SessionListQuerySchema, request.query);
    const page = ctx.store.list({ kind: ['live', 'replay'], limit: q.limit, offset: q.offset });
    const sessions = await Promise.all(page.runs.map((h) => viewOf(h.id)));
    const next = q.offset + sessions.length;
    return {
      sessions,
      total: page.total,
      limit: q.limit,
      offset: q.offset,
      next_offset: next < page.total ? next : null,
    };
  });

  app.get('/api/sessions/:id', (request) => viewOf(parseRequest(RunParamsSchema, request.params).id));

  // The header alone, as for other runs: what the runs page polls.
  app.get('/api/sessions/:id/progress', (request, reply) => {
    const { id } = parseRequest(RunParamsSchema, request.params);
    return sendProgress(ctx, reply, headerOf(id).id);
  });

  const verbs = { pause: 'be paused', resume: 'be resumed' } as const;
  for (const verb of ['pause', 'resume'] as const) {
    app.post(`/api/sessions/:id/${verb}`, (request) =>
      control(parseRequest(RunParamsSchema, request.params).id, { kind: verb }, verbs[verb]),
    );
    app.post(`/api/sessions/:id/strategies/:name/${verb}`, (request) => {
      const { id, name } = parseRequest(SessionStrategyParamsSchema, request.params);
      return control(id, { kind: `${verb}-strategy`, strategy: name }, `${verb} a strategy`);
    });
  }

  app.post('/api/sessions/:id/stop', async (request) => {
    const { id } = parseRequest(RunParamsSchema, request.params);
    const h = headerOf(id);
    if (isFinalStatus(h.status)) {
      throw new TradeflowError(
        'TF_ERR_RUN_STATE',
        `session "${id}" has ended (${h.status}); there is nothing to stop`,
      );
    }
    await ctx.manager.cancel(id);
    return viewOf(id);
  });
}
