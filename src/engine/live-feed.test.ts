import { beforeAll, describe, expect, it } from 'vitest';
import { liveBars, pacedFeed, runLive } from '../../test/live-sessions.ts';
import { paceSession } from '../../test/pace-sessions.ts';
import { parsePrometheusText } from '../../test/prometheus-text.ts';
import type { MemoryLogger } from '../core/logger.ts';
import type { FeedHandlers } from '../data/feeds/bar-feed.ts';
import { PrometheusExporter } from '../metrics/prometheus.ts';
import type { BacktestOutcome } from '../report/backtest-outcome.ts';
import { MemoryStore } from '../storage/memory-store.ts';
import { LOGGED_PER_KIND } from './feed-watch.ts';

const HISTORY = 3;
const URL = 'ws://127.0.0.1:9/scripted';
const session = () =>
  paceSession({
    bars: HISTORY,
    strategies: [{ name: 'probe', isolation: 'inline', config: { hold: true } }],
  });
const bars = liveBars(6, HISTORY);
const malformed = (n: number) => (h: FeedHandlers) => h.onReject('malformed', `message ${n}: not JSON`);

describe('A live feed that gives up', () => {
  let run: BacktestOutcome & { log: MemoryLogger };
  let store: MemoryStore;
  const reason = `feed ${URL} failed: connection lost and not regained after 5 attempts`;
  beforeAll(async () => {
    store = new MemoryStore();
    run = await runLive(session(), pacedFeed(bars.slice(0, 3), 5, { outcome: 'failed', reason }), store);
  });

  it('ends the run interrupted, not completed, with the feed’s reason as its error', () => {
    expect(run.result).toMatchObject({ status: 'interrupted', error: reason, steps: 3 });
    expect(run.result.feed).toMatchObject({ outcome: 'failed', reason });
    expect(run.engine.feedEnd).toEqual({ outcome: 'failed', reason });
  });

  it('records the run as interrupted with that error, its trades so far kept', () => {
    const stored = store.readRun('live-test');
    expect(stored).toMatchObject({ status: 'interrupted', error: reason });
    expect(stored!.signals).toHaveLength(3);
  });

  it('completes a run whose feed ran out', async () => {
    const done = await runLive(session(), pacedFeed(bars.slice(0, 2), 5));
    expect(done.result.status).toBe('completed');
    expect(done.result.error).toBeUndefined();
    expect(done.result.feed).toMatchObject({ outcome: 'completed', reason: 'script done' });
  });
});

describe('What a live feed turns away, and its connection', () => {
  let run: BacktestOutcome & { log: MemoryLogger };
  const warnings = () => run.log.records.filter((r) => r.level === 'warn').map((r) => r.msg);
  beforeAll(async () => {
    const script = [
      (h: FeedHandlers) => h.onConnection({ kind: 'connected', url: URL }),
      bars[0]!,
      ...Array.from({ length: LOGGED_PER_KIND + 3 }, (_, k) => malformed(k + 2)),
      (h: FeedHandlers) => h.onReject('duplicate', 'bar X 1m at ... was delivered already'),
      (h: FeedHandlers) =>
        h.onConnection({
          kind: 'disconnected',
          url: URL,
          reason: 'socket closed',
          attempt: 1,
          retryInMs: 500,
        }),
      (h: FeedHandlers) => h.onConnection({ kind: 'connected', url: URL }),
      (h: FeedHandlers) => h.onConnection({ kind: 'backfilled', symbol: 'X', interval: '1m', bars: 2 }),
      bars[1]!,
      // The engine's own refusals: a symbol the session does not hold, a bar not after the last one.
      { ...bars[2]!, symbol: 'NOPE' },
      bars[1]!,
      bars[2]!,
    ];
    run = await runLive(session(), pacedFeed(script, 2));
  });

  it('counts every rejected message and bar per kind, in the metrics and the result', () => {
    expect(run.result.steps).toBe(3);
    expect(run.facts.metrics.system.feed.rejected).toEqual({
      malformed: LOGGED_PER_KIND + 3,
      duplicate: 1,
      'out-of-order': 0,
      'unknown-stream': 0,
      refused: 2,
    });
    expect(run.result.feed!.rejected).toEqual({
      malformed: LOGGED_PER_KIND + 3,
      duplicate: 1,
      out_of_order: 0,
      unknown_stream: 0,
      refused: 2,
    });
    expect(run.engine.liveRejected).toBe(LOGGED_PER_KIND + 6);
  });

  it('logs only the first few of a kind, then says the rest are counted', () => {
    const bad = warnings().filter((w) => w.includes('not JSON'));
    expect(bad).toHaveLength(LOGGED_PER_KIND);
    expect(bad[0]).toBe(`feed ${URL}: message 2: not JSON; ignored`);
    expect(warnings()).toContain(
      `feed ${URL}: further malformed messages are counted, not logged (see the run's metrics)`,
    );
    expect(warnings().filter((w) => w.includes('further'))).toHaveLength(1);
    expect(warnings().some((w) => w.includes('unknown symbol NOPE'))).toBe(true);
    expect(warnings().some((w) => w.includes("is not after the last bar's"))).toBe(true);
  });

  it('logs connection changes (a loss as a warning with the retry planned) and counts reconnects', () => {
    const lines = run.log.records
      .filter((r) => r.msg.includes('connect') || r.msg.includes('backfilled'))
      .map((r) => `${r.level} ${r.msg}`);
    expect(lines).toEqual([
      `info feed ${URL}: connected to ${URL}`,
      `warn feed ${URL}: connection to ${URL} lost (socket closed); retry 1 in 500 ms`,
      `info feed ${URL}: connected to ${URL}`,
      `info feed ${URL}: backfilled 2 bar(s) of X 1m`,
    ]);
    expect(run.facts.metrics.system.feed.reconnects).toBe(1);
    expect(run.result.feed!.reconnects).toBe(1);
  });

  it('exports the rejects per kind, the reconnects and the live latency to Prometheus', async () => {
    const families = parsePrometheusText(await new PrometheusExporter({ source: run.engine }).metrics());
    const value = (name: string, labels: Record<string, string> = {}) =>
      families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;
    expect(value('tradeflow_feed_rejected_total', { kind: 'malformed' })).toBe(LOGGED_PER_KIND + 3);
    expect(value('tradeflow_feed_rejected_total', { kind: 'refused' })).toBe(2);
    expect(value('tradeflow_feed_rejected_total', { kind: 'out-of-order' })).toBe(0);
    expect(value('tradeflow_feed_reconnects_total')).toBe(1);
    // Every BUY and CLOSE reached the broker timed; HOLD submits nothing.
    const submitted = run.engine.recorder.signals.filter((s) => s.signal.action !== 'HOLD').length;
    expect(submitted).toBeGreaterThan(0);
    const latency = families.get('tradeflow_live_latency_seconds');
    expect(latency?.type).toBe('histogram');
    expect(latency?.samples.find((s) => s.name === 'tradeflow_live_latency_seconds_count')?.value).toBe(
      submitted,
    );
    expect(families.has('tradeflow_live_latency_p99_seconds')).toBe(true);
  });
});
