// Benchmark of the notification path: how long a published bar takes to reach a strategy thread's onBars.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { delay, monotonicMs } from '../src/core/clock.ts';
import { sharedMetrics } from '../src/strategy/host/metrics.ts';
import { createChannel, entry, Kind, ProducerChannel, spinFor } from '../src/strategy/host/channel.ts';
import type { StrategyWorkerData, WorkerMessage } from '../src/strategy/host/protocol.ts';
import type { Figure } from './harness.ts';

/** The runtime's own strategy worker (the bootstrap that registers tsx, as ThreadRunner starts it). */
const WORKER = new URL('../src/strategy/host/strategy-worker.mjs', import.meta.url);
const PROBE = join(import.meta.dirname, 'strategies-root/strategies/latency_probe.ts');

/** Below this much time to the next bar the publisher spins instead of sleeping (sleeps overshoot). */
const SPIN_BEFORE_MS = 0.08;

interface Probe {
  readonly worker: Worker;
  readonly channel: ProducerChannel;
  readonly latencies: Float64Array;
  readonly stopped: Promise<void>;
}

/** Starts one real strategy worker running the latency probe; resolves once its setup is done. */
async function startProbe(
  index: number,
  stamps: SharedArrayBuffer,
  count: number,
  spin: number,
): Promise<Probe> {
  // A ring as long as the run, so that no bar is ever dropped and the n-th onBars answers the n-th bar.
  const buffers = createChannel({
    capacity: count,
    symbols: 1,
    subscriptions: 1,
    metrics: sharedMetrics().buffer as SharedArrayBuffer,
    spin,
  });
  const latencies = new SharedArrayBuffer(8 * count);
  new Float64Array(latencies).fill(Number.NaN);
  const workerData: StrategyWorkerData = {
    file: PROBE,
    className: 'LatencyProbeStrategy',
    name: `probe${index}`,
    config: {
      symbols: ['BENCH'],
      interval: '1m',
      position_size: 1,
      stamps,
      latencies,
      epoch_ms: performance.timeOrigin,
    },
    channel: buffers,
    series: [],
    symbols: ['BENCH'],
    subscriptions: [['BENCH', '1m']],
    calendars: [],
    control: new MessageChannel().port2,
    events: new MessageChannel().port2,
    setupTimeoutMs: 30_000,
    teardownTimeoutMs: 5_000,
    maxOffheapMb: 1024,
  };
  const worker = new Worker(WORKER, {
    workerData,
    transferList: [workerData.control, workerData.events],
    execArgv: [],
  });
  let markStopped = () => {};
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        if (m.ok) resolve();
        else reject(new Error(`latency probe did not start: ${m.reason ?? ''}`));
      } else if (m.type === 'stopped') markStopped();
      else if (m.type === 'log' && m.level === 'error') process.stderr.write(`latency probe: ${m.msg}\n`);
    });
    worker.on('error', reject);
    worker.on('exit', () => {
      markStopped();
      reject(new Error('latency probe exited before setup finished'));
    });
  });
  return { worker, channel: new ProducerChannel(buffers), latencies: new Float64Array(latencies), stopped };
}

/** Returns the q-quantile (0..1) of the finite values, by rank. */
function quantile(sorted: Float64Array, q: number): number {
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * Publishes `count` bars to `strategies` real strategy threads at a steady pace, without waiting for them
 * (a live feed): each bar is stamped in shared memory, pushed to every ring and published, and each probe
 * records how long after the stamp its onBars started. Returns the pooled latencies' p50 and p99 (us).
 */
export async function notifyLatency(options: {
  strategies: number;
  /** Bars measured, after `warmup` bars that are published but not counted (JIT, first wake-ups). */
  count: number;
  warmup: number;
  paceUs: number;
  maxMs: number;
}): Promise<{ p50: number; p99: number; delivered: number; measured: number }> {
  const { warmup } = options;
  const count = warmup + options.count;
  const stampBuffer = new SharedArrayBuffer(8 * count);
  const stamps = new Float64Array(stampBuffer);
  const probes: Probe[] = [];
  try {
    // Polling as the runtime sets it for this many strategy threads on this machine.
    const spin = spinFor(options.strategies, availableParallelism());
    for (let i = 0; i < options.strategies; i++) probes.push(await startProbe(i, stampBuffer, count, spin));
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    const paceMs = options.paceUs / 1000;
    const started = monotonicMs();
    let next = started + paceMs;
    let published = 0;
    while (published < count && monotonicMs() - started < options.maxMs) {
      const ahead = next - monotonicMs();
      if (ahead > SPIN_BEFORE_MS) Atomics.wait(sleeper, 0, 0, ahead - SPIN_BEFORE_MS);
      while (monotonicMs() < next);
      stamps[published] = monotonicMs();
      for (const p of probes) {
        p.channel.push(entry(Kind.Bar, 0));
        p.channel.publish();
      }
      published++;
      // A steady pace: a late bar does not make the next ones come in a burst.
      next = Math.max(next + paceMs, monotonicMs());
    }
    for (const p of probes) p.channel.waitDone(p.channel.step, 2000);
    const measured = Math.max(0, published - warmup);
    const all = new Float64Array(measured * probes.length);
    let delivered = 0;
    for (const p of probes) {
      for (let k = warmup; k < published; k++) {
        const v = p.latencies[k]!;
        if (v === v) all[delivered++] = v;
      }
    }
    const sorted = all.subarray(0, delivered).sort();
    return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), delivered, measured };
  } finally {
    for (const p of probes) p.channel.stop();
    const timeout = delay(2000);
    await Promise.race([Promise.all(probes.map((p) => p.stopped)), timeout.promise]);
    timeout.cancel();
    await Promise.all(probes.map((p) => p.worker.terminate()));
  }
}

/**
 * Notification latency in a live-style loop: from a bar's publication to the start of onBars in the
 * strategy's thread, with one and with five strategies, the publisher never waiting for them.
 */
export async function notifyBench(options: { quick: boolean }): Promise<Figure[]> {
  const count = options.quick ? 5_000 : 20_000;
  const paceUs = 250;
  const maxMs = 15_000;
  const warmup = count / 10;
  const one = await notifyLatency({ strategies: 1, count, warmup, paceUs, maxMs });
  const five = await notifyLatency({ strategies: 5, count, warmup, paceUs, maxMs });
  const n = (x: number) => x.toLocaleString('en-US');
  const lost = (r: { delivered: number; measured: number }, k: number) =>
    r.delivered < r.measured * k ? `, ${n(r.measured * k - r.delivered)} not delivered` : '';
  return [
    {
      key: 'notify1_latency_p50_us',
      label: `bar published -> onBars starts, 1 strategy thread, ${n(one.measured)} bars (after ${n(warmup)}) every ${paceUs} us: p50${lost(one, 1)}`,
      value: one.p50,
      unit: 'us',
      better: 'lower',
    },
    {
      key: 'notify1_latency_p99_us',
      label: 'the same: p99',
      value: one.p99,
      unit: 'us',
      target: 20,
      better: 'lower',
    },
    {
      key: 'notify_latency_p50_us',
      label: `the same with 5 strategy threads (all notifications pooled): p50${lost(five, 5)}`,
      value: five.p50,
      unit: 'us',
      better: 'lower',
    },
    {
      key: 'notify_latency_p99_us',
      label: 'the same with 5 strategy threads: p99',
      value: five.p99,
      unit: 'us',
      target: 200,
      better: 'lower',
    },
  ];
}
