// The HTTP listener that serves an exporter's metrics for Prometheus to scrape.
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrometheusExporter } from './prometheus.ts';

/** What the metrics listener serves: anything with the exporter's text output and content type. */
export type MetricsText = Pick<PrometheusExporter, 'metrics' | 'contentType'>;

/** Options of `startMetricsServer`. */
export interface MetricsServerOptions {
  /** The TCP port; 0 picks a free one (see the returned `port`). */
  readonly port: number;
  /** The interface to listen on (default 127.0.0.1: metrics stay on the machine unless asked). */
  readonly host?: string;
  readonly exporter: MetricsText;
}

/** A listening metrics server. */
export interface MetricsServer {
  readonly port: number;
  readonly host: string;
  /** The address to scrape, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

function reply(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
}

/**
 * Returns the request handler of the metrics endpoint, built without listening so tests can call it:
 * GET (or HEAD) /metrics serves the exporter's text, another method on /metrics is 405, any other path 404.
 */
export function metricsHandler(exporter: MetricsText): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics') return reply(res, 404, 'not found: metrics are served at /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return reply(res, 405, 'method not allowed: use GET\n', { allow: 'GET, HEAD' });
    exporter.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': exporter.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (e: unknown) => reply(res, 500, `metrics failed: ${(e as Error).message ?? String(e)}\n`),
    );
  };
}

/** Starts an HTTP listener for GET /metrics; resolves once it listens (rejects if the port is taken). */
export function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const host = o.host ?? '127.0.0.1';
  const server = createServer(metricsHandler(o.exporter));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        port,
        host,
        url: `http://${shown}:${port}/metrics`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((e) => (e ? fail(e) : done()));
            // Keep-alive connections of a scraper would otherwise hold the listener open.
            server.closeAllConnections();
          }),
      });
    });
  });
}
