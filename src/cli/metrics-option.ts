// `--metrics-port` and `--hold-metrics`: a Prometheus listener for the length of one run.
import { TradeflowError } from '../core/errors.ts';
import type { Engine } from '../engine/kernel.ts';
import { PrometheusExporter } from '../metrics/prometheus.ts';
import { type MetricsServer, startMetricsServer } from '../metrics/server.ts';
import { onStopSignal } from './stop-signals.ts';

/** The metrics listener of one run (`--metrics-port`). */
export interface RunMetrics {
  readonly server: MetricsServer;
  /** Hands the exporter the engine; pass it to runBacktest as `onEngine`. */
  readonly onEngine: (engine: Engine) => void;
  /** Keeps serving until the process gets SIGINT, SIGTERM or SIGHUP (`--hold-metrics`). */
  hold(): Promise<void>;
  close(): Promise<void>;
}

/** Parses `--metrics-port`: an integer from 0 (any free port) to 65535; returns undefined for anything else. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65_535 ? port : undefined;
}

/** Starts the metrics listener of a run before the run starts, and prints its address on stderr. */
export async function startRunMetrics(port: number): Promise<RunMetrics> {
  const exporter = new PrometheusExporter();
  const server = await startMetricsServer({ port, exporter }).catch((e: unknown) => {
    // Same code as the other option errors of a run (`--feed`), so the exit code is 2 with a clear message.
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `--metrics-port: cannot listen on 127.0.0.1:${port} (${(e as Error).message}); choose another port, or 0 for any free one`,
      { cause: e },
    );
  });
  process.stderr.write(`metrics: ${server.url}\n`);
  return {
    server,
    onEngine: (engine) => exporter.attach(engine),
    hold: () => {
      process.stderr.write(`metrics: the run is over; still serving ${server.url} until Ctrl-C\n`);
      return new Promise((resolve) => onStopSignal(() => resolve()));
    },
    close: () => server.close(),
  };
}
