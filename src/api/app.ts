// The HTTP API as one Fastify app: the safety checks, the run database, the hooks and routes in order,
// and how it starts and closes.
import Fastify, { type FastifyInstance } from 'fastify';
import { silentLogger } from '../core/logger.ts';
import { TradeflowError } from '../core/errors.ts';
import { PROJECT_ROOT, type TickerSource } from '../screener/ticker-source.ts';
import { SCREENERS, screenerRef } from '../screener/registry.ts';
import { ProgressStore } from '../storage/runs-progress.ts';
import { bearerAuth } from './auth.ts';
import type { ApiContext } from './context.ts';
import { errorBody, errorHandler, InvalidRequestError } from './errors.ts';
import { APP_DEFAULTS, type AppOptions, checkAppOptions } from './options.ts';
import { RecentResultsCache } from './progress-json.ts';
import { ApiMetrics } from './metrics.ts';
import { RunManager } from './run-manager.ts';
import { registerBacktestRoutes } from './routes/backtests.ts';
import { registerCatalogRoutes } from './routes/catalog.ts';
import { registerScreenRoutes } from './routes/screens.ts';
import { registerSessionRoutes } from './routes/sessions.ts';
import { registerWebRoutes } from './routes/web.ts';

/** Throws TF_ERR_CONFIG_INVALID unless the ticker source's spec is plain data a run's thread can take. */
function checkSourceSpec(source: TickerSource): void {
  let problem: string | undefined;
  try {
    if (typeof (source.spec as unknown) !== 'object' || source.spec === null) problem = 'it has none';
    else structuredClone(source.spec);
  } catch (e) {
    problem = (e as Error).message;
  }
  if (problem !== undefined) {
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `tickerSource.spec: must be plain data a run's thread can build the source from (${problem}); see TickerSourceSpec`,
    );
  }
}

/** The app the API builds: Fastify, plus the runs marked interrupted when it started. */
export type TradeflowApp = FastifyInstance & { readonly interruptedAtStart: readonly string[] };

/**
 * Builds the HTTP API without listening (tests call it with `app.inject`; `tradeflow serve` listens).
 *
 * Starting: checks the safety rules (a token for a non-loopback host), opens the run database, and marks
 * the runs a crash left queued or running as `interrupted` (a screen among them resumes with
 * POST /api/strategies/runs/:id/resume). Hooks, in order: onRequest (timing for /metrics, then the bearer
 * token on every route but /healthz and the UI's files, when set), then the route, then onResponse
 * (requests counted for /metrics). Closing (`app.close()`), in reverse: preClose stops the runs
 * in progress and marks them interrupted, then the listener closes, then onClose closes the database if
 * the app opened it.
 */
export function buildApp(options: AppOptions): TradeflowApp {
  checkAppOptions(options);
  const screeners = options.screeners ?? SCREENERS;
  // Each screen runs in a thread of its own, which must find its screener and source again: refuse what it
  // could not.
  for (const screener of Object.values(screeners)) screenerRef(screener);
  checkSourceSpec(options.tickerSource);
  const logger = options.logger ?? silentLogger;
  const ownsStore = typeof options.db === 'string';
  const store = typeof options.db === 'string' ? new ProgressStore(options.db) : options.db;
  const interrupted = store.interruptUnfinished(options.clock.now());
  if (interrupted.length > 0) {
    logger.warn(`marked ${interrupted.length} unfinished runs as interrupted: ${interrupted.join(', ')}`);
  }
  const manager = new RunManager({
    store,
    source: options.tickerSource,
    clock: options.clock,
    logger,
    maxConcurrentRuns: options.maxConcurrentRuns ?? APP_DEFAULTS.maxConcurrentRuns,
    runHeapMb: options.runHeapMb ?? APP_DEFAULTS.runHeapMb,
    stopGraceMs: options.stopGraceMs ?? APP_DEFAULTS.stopGraceMs,
  });
  if (options.prestartThread === true) manager.prestartThread();
  const ctx: ApiContext = {
    store,
    manager,
    source: options.tickerSource,
    clock: options.clock,
    screeners,
    recentResults: new RecentResultsCache(),
    root: options.projectRoot ?? PROJECT_ROOT,
    limits: {
      strategies: options.maxStrategiesPerRun ?? APP_DEFAULTS.maxStrategiesPerRun,
      dataSources: options.maxDataSourcesPerRun ?? APP_DEFAULTS.maxDataSourcesPerRun,
      checkTimeoutMs: options.strategyCheckTimeoutMs ?? APP_DEFAULTS.strategyCheckTimeoutMs,
    },
  };

  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? APP_DEFAULTS.bodyLimit,
    return503OnClosing: true,
  });
  const metrics = new ApiMetrics(store, manager);
  metrics.instrument(app);
  app.setErrorHandler(errorHandler(logger));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(
      errorBody(
        new InvalidRequestError([
          {
            path: '(url)',
            message: `no endpoint ${request.method} ${request.url.split('?')[0]}; docs/api.md lists them`,
          },
        ]),
      ),
    ),
  );
  registerWebRoutes(app); // the UI's static files: served before the bearer check
  if (options.token !== undefined) app.addHook('onRequest', bearerAuth(options.token));

  // Answered on the server's own thread, which runs no strategy code: it answers while any run is stuck.
  app.get('/healthz', () => ({ status: 'ok', active_runs: manager.activeCount }));
  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.metrics()),
  );
  registerScreenRoutes(app, ctx);
  registerBacktestRoutes(app, ctx);
  registerSessionRoutes(app, ctx);
  registerCatalogRoutes(app, ctx);

  // Runs stop before the listener waits for open requests (a synchronous run's request waits for its run),
  // and the database closes last.
  app.addHook('preClose', async () => {
    await manager.close();
  });
  app.addHook('onClose', () => {
    if (ownsStore) store.close();
  });
  return Object.assign(app, { interruptedAtStart: interrupted });
}
