// The API server's Prometheus metrics: requests by route and status with their durations, and runs by
// kind and status.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { monotonicMs } from '../core/clock.ts';
import type { ProgressStore } from '../storage/runs-progress.ts';
import { SERVICE_RUN_KINDS, SERVICE_RUN_STATUSES } from '../storage/service-run.ts';
import type { RunManager } from './run-manager.ts';

/** Upper bounds of the request duration buckets, in seconds (1 ms to 10 s). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The route label of a request: its route's pattern (`/api/backtests/:id`), never the raw URL. */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/**
 * The API server's Prometheus metrics, in a registry of its own: requests by route and status code with
 * their durations, runs by kind and status (read from the run database on each scrape, so they hold
 * across restarts), and the runs in progress in this server.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly #started = new WeakMap<FastifyRequest, number>();
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #duration: Histogram<'method' | 'route'>;

  constructor(store: ProgressStore, manager: RunManager) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'tradeflow_api_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    });
    this.#duration = new Histogram({
      name: 'tradeflow_api_request_duration_seconds',
      help: 'Time from a request received to its answer sent, by method and route pattern.',
      labelNames: ['method', 'route'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'tradeflow_api_runs',
      help: 'Screens and backtests in the run database, by kind and status.',
      labelNames: ['kind', 'status'] as const,
      registers,
      collect() {
        let found: ReturnType<ProgressStore['countByStatus']>;
        try {
          found = store.countByStatus();
        } catch {
          // The database could not answer (it is closing, say): leave these out, serve the rest.
          this.reset();
          return;
        }
        const counts = new Map(found.map((c) => [`${c.kind}/${c.status}`, c.count]));
        for (const kind of SERVICE_RUN_KINDS)
          for (const status of SERVICE_RUN_STATUSES)
            this.set({ kind, status }, counts.get(`${kind}/${status}`) ?? 0);
      },
    });
    new Gauge({
      name: 'tradeflow_api_runs_active',
      help: 'Screens and backtests running in this server now.',
      registers,
      collect() {
        this.set(manager.activeCount);
      },
    });
  }

  /** Counts and times every request of `app` (hooks added first, so refused requests count too). */
  instrument(app: FastifyInstance): void {
    app.addHook('onRequest', (request, _reply, done) => {
      this.#started.set(request, monotonicMs());
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      const route = routeOf(request);
      this.#requests.inc({ method: request.method, route, status: String(reply.statusCode) });
      const t0 = this.#started.get(request);
      if (t0 !== undefined)
        this.#duration.observe({ method: request.method, route }, (monotonicMs() - t0) / 1000);
      done();
    });
  }

  /** Returns every series in the Prometheus text format. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Returns the content type of `metrics()`. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
