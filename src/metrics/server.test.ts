import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusExporter } from './prometheus.ts';
import { type MetricsServer, type MetricsText, startMetricsServer } from './server.ts';
import { parsePrometheusText } from '../../test/prometheus-text.ts';

const open: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(exporter: MetricsText = new PrometheusExporter()): Promise<MetricsServer> {
  const server = await startMetricsServer({ port: 0, exporter });
  open.push(server);
  return server;
}

/** Fetches with a time limit, so a hung listener fails the test instead of stalling it. */
function get(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
}

describe('startMetricsServer', () => {
  it('serves GET /metrics on a free loopback port with the registry content type', async () => {
    const exporter = new PrometheusExporter();
    const server = await start(exporter);
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const res = await get(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(exporter.contentType);
    expect(parsePrometheusText(await res.text()).get('tradeflow_strategies')?.type).toBe('gauge');
    const head = await get(server.url, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('answers 404 for any other path and 405 for another method on /metrics', async () => {
    const server = await start();
    const base = `http://127.0.0.1:${server.port}`;
    expect((await get(`${base}/`)).status).toBe(404);
    expect((await get(`${base}/metrics/x`)).status).toBe(404);
    expect((await get(`${base}/metrics?debug=1`)).status).toBe(200);
    const post = await get(server.url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 500 when the exporter fails, and keeps serving', async () => {
    let fail = true;
    const server = await start({
      contentType: 'text/plain',
      metrics: () => (fail ? Promise.reject(new Error('boom')) : Promise.resolve('')),
    });
    const res = await get(server.url);
    expect([res.status, await res.text()]).toEqual([500, 'metrics failed: boom\n']);
    fail = false;
    expect((await get(server.url)).status).toBe(200);
  });

  it('closes with a keep-alive connection open, and then refuses connections', async () => {
    const server = await startMetricsServer({ port: 0, exporter: new PrometheusExporter() });
    // A scraper's idle keep-alive connection must not hold the listener open.
    await new Promise<void>((done, fail) => {
      const req = request(server.url, { agent: new Agent({ keepAlive: true }) });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => done());
      });
      req.on('error', fail);
      req.end();
    });
    const t0 = Date.now();
    await server.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(get(server.url)).rejects.toThrow();
  });

  it('rejects when the port is taken', async () => {
    const first = await start();
    await expect(
      startMetricsServer({ port: first.port, exporter: new PrometheusExporter() }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
