// The load generator of bench/api.bench.ts, run as a second process: keep-alive GETs of one URL from
// `connections` concurrent loops for `durationMs`, then one JSON line of counts and latency percentiles.
import { Agent, get } from 'node:http';

const [url = '', durationText = '2000', connectionsText = '16'] = process.argv.slice(2);
const durationMs = Number(durationText);
const connections = Number(connectionsText);
const agent = new Agent({ keepAlive: true, maxSockets: connections });

let latencies = new Float64Array(1 << 16);
let count = 0;
let errors = 0;
let non2xx = 0;

function record(ms: number): void {
  if (count === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[count++] = ms;
}

function once(): Promise<void> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = get(url, { agent }, (res) => {
      if ((res.statusCode ?? 0) >= 300) non2xx++;
      res.on('data', () => {});
      res.on('end', () => {
        record(performance.now() - t0);
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
  });
}

async function loop(end: number): Promise<void> {
  while (performance.now() < end) await once();
}

const start = performance.now();
await Promise.all(Array.from({ length: connections }, () => loop(start + durationMs)));
const elapsedMs = performance.now() - start;
agent.destroy();
const sorted = latencies.slice(0, count).sort();
const at = (q: number) => sorted[Math.min(count - 1, Math.floor(q * count))] ?? NaN;
process.stdout.write(
  JSON.stringify({
    requests: count,
    errors,
    non2xx,
    elapsedMs,
    rps: count / (elapsedMs / 1000),
    p50: at(0.5),
    p99: at(0.99),
    max: at(1),
  }) + '\n',
);
