import { pathToFileURL } from 'node:url';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { monotonicMs } from '../../core/clock.ts';
import { TradeflowError } from '../../core/errors.ts';
import { prepareModel } from './model-hook.ts';
import type { Logger } from '../../core/logger.ts';
import { createCalendar, type TradingCalendar } from '../../data/calendar.ts';
import { BarSeriesView } from '../../data/session-data.ts';
import { type SeriesKey, seriesKey } from '../../model/bar.ts';
import type { Interval } from '../../model/interval.ts';
import type { Signal } from '../../model/signal.ts';
import { MetricsWriter } from './metrics.ts';
import type { BaseStrategy, StrategyContext } from '../base-strategy.ts';
import { ConsumerChannel, float64View, Kind } from './channel.ts';
import {
  type ControlReply,
  type ControlRequest,
  State,
  type StrategyWorkerData,
  type WorkerMessage,
} from './protocol.ts';

// One strategy in its own thread: it reads bars in place from the session's shared buffers, takes
// notifications from its ring, and leaves each step's signals in the outbox.

const d = workerData as StrategyWorkerData;
const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);
const logAt =
  (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Readonly<Record<string, unknown>>) =>
    post(fields === undefined ? { type: 'log', level, msg } : { type: 'log', level, msg, fields });
const log: Logger = {
  debug: logAt('debug'),
  info: logAt('info'),
  warn: logAt('warn'),
  error: logAt('error'),
};
const metrics = new MetricsWriter(new Float64Array(d.channel.metrics));

// Views over the shared state, made again when a control request says the buffers grew.
let state = float64View(d.channel.state);
let quality = float64View(d.channel.quality);
const symbolIds = new Map(d.symbols.map((s, i) => [s, i]));
let subs = d.subscriptions;
let subIndex = new Map(subs.map(([s, i], k) => [seriesKey(s, i), k]));
const descriptors = new Map(d.series.map((s) => [seriesKey(s.symbol, s.interval), s]));
const views = new Map<SeriesKey, BarSeriesView>();
const calendars = new Map<string, TradingCalendar>(
  d.calendars.map((c) => [c.symbol, createCalendar(c.spec)]),
);

const ctx: StrategyContext = {
  name: d.name,
  log,
  bars(symbol: string, interval: Interval) {
    const key = seriesKey(symbol, interval);
    let v = views.get(key);
    if (!v) {
      const desc = descriptors.get(key);
      if (!desc || !subIndex.has(key)) {
        throw new TradeflowError(
          'TF_ERR_SUBSCRIPTION',
          `strategy ${d.name} asked for ${symbol} at ${interval}, which it does not subscribe to; add it to getSubscriptions()`,
        );
      }
      v = new BarSeriesView(desc);
      views.set(key, v);
    }
    return v;
  },
  getBarQuality: (symbol, interval) => {
    const k = subIndex.get(seriesKey(symbol, interval));
    return k === undefined ? 100 : quality[k]!;
  },
  position: (symbol) => {
    const id = symbolIds.get(symbol);
    return id === undefined ? 0 : state[State.Positions + id]!;
  },
  cash: () => state[State.Cash]!,
  now: () => state[State.Now]!,
  sessionOf: (symbol, tsMs) => {
    const cal = calendars.get(symbol);
    if (!cal) throw new TradeflowError('TF_ERR_SUBSCRIPTION', `no data source provides ${symbol}`);
    return cal.dayKey(tsMs);
  },
};

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A successful start, saying why the strategy runs degraded (without its model) if it does. */
function readyMessage(degraded: string | undefined): WorkerMessage {
  return degraded === undefined ? { type: 'ready', ok: true } : { type: 'ready', ok: true, degraded };
}

async function start(): Promise<BaseStrategy | undefined> {
  const mod = (await import(pathToFileURL(d.file).href)) as Record<string, unknown>;
  const Cls = mod[d.className] as new (config: unknown, name: string) => BaseStrategy;
  const strategy = new Cls(d.config, d.name);
  strategy.attach(ctx);
  const model = await prepareModel(strategy, log, metrics);
  if (!model.ok) {
    post({ type: 'ready', ok: false, reason: model.reason });
    return undefined;
  }
  try {
    const ok = await strategy.setup(ctx);
    post(ok ? readyMessage(model.degraded) : { type: 'ready', ok: false, reason: 'setup returned false' });
    return ok ? strategy : undefined;
  } catch (e) {
    post({ type: 'ready', ok: false, reason: `setup threw: ${message(e)}` });
    return undefined;
  }
}

/** The strategy's subscriptions as it states them now, or why it could not. */
function statedSubscriptions(strategy: BaseStrategy): ControlReply {
  try {
    return { subscriptions: strategy.getSubscriptions().map(([s, i]) => [s, i] as const) };
  } catch (e) {
    metrics.error();
    return { error: `getSubscriptions() threw: ${message(e)}` };
  }
}

function handle(strategy: BaseStrategy, request: ControlRequest): ControlReply {
  switch (request.op) {
    case 'join': {
      symbolIds.set(request.symbol, symbolIds.size);
      for (const s of request.series) descriptors.set(seriesKey(s.symbol, s.interval), s);
      calendars.set(request.calendar.symbol, createCalendar(request.calendar.spec));
      state = float64View(d.channel.state);
      try {
        strategy.symbolJoined(request.symbol);
      } catch (e) {
        metrics.error();
        return { error: `onSymbolAdded(${request.symbol}) threw: ${message(e)}` };
      }
      return statedSubscriptions(strategy);
    }
    case 'ask':
      return statedSubscriptions(strategy);
    case 'use': {
      subs = request.subscriptions;
      subIndex = new Map(subs.map(([s, i], k) => [seriesKey(s, i), k]));
      for (const s of request.series) descriptors.set(seriesKey(s.symbol, s.interval), s);
      for (const key of views.keys()) if (!subIndex.has(key)) views.delete(key);
      quality = float64View(d.channel.quality, subs.length);
      return {};
    }
  }
}

/** Answers the control request waiting on the control port (before the step is marked done). */
function control(strategy: BaseStrategy): void {
  const received = receiveMessageOnPort(d.control);
  if (received === undefined) {
    log.error(`strategy ${d.name}: a control notification came without its request; ignored`);
    return;
  }
  d.control.postMessage(handle(strategy, received.message as ControlRequest));
}

function serve(strategy: BaseStrategy): void {
  const channel = new ConsumerChannel(d.channel);
  let errors = 0;
  let done = 0;
  const signals: Signal[] = [];
  for (;;) {
    const step = channel.awaitStep(done);
    const groupTag = channel.groupTag;
    for (let v = channel.next(); v >= 0; v = channel.next()) {
      if (v >>> 24 === Kind.Control) {
        control(strategy);
        continue;
      }
      const [symbol, interval] = subs[v & 0xffffff]!;
      if (v >>> 24 === Kind.Quality) {
        try {
          strategy.onQualityUpdate?.(symbol, interval, quality[v & 0xffffff]!);
        } catch (e) {
          metrics.error();
          log.error(`strategy ${d.name}: onQualityUpdate(${symbol}, ${interval}) threw: ${message(e)}`);
        }
        continue;
      }
      const t0 = monotonicMs();
      let n = 0;
      try {
        const out = strategy.onBars(symbol, interval);
        n = out.length;
        for (let i = 0; i < n; i++) signals.push(out[i]!);
      } catch (e) {
        metrics.error();
        // The first few in full; a strategy failing on every bar must not flood the log.
        if (++errors <= 5)
          log.error(`strategy ${d.name}: onBars(${symbol}, ${interval}) threw: ${message(e)}`);
      }
      metrics.notification(monotonicMs() - t0, n);
    }
    let json = '';
    if (signals.length > 0) {
      try {
        json = JSON.stringify(signals);
      } catch (e) {
        metrics.error();
        log.error(
          `strategy ${d.name}: its signals of one step could not be sent (${message(e)}); they are dropped`,
        );
      }
    }
    if (!channel.complete(step, json, groupTag)) {
      metrics.error();
      log.error(
        `strategy ${d.name}: its signals of one step exceed the ${d.channel.outbox.maxByteLength} bytes a step can carry; they are dropped`,
      );
      channel.complete(step, '', groupTag);
    }
    signals.length = 0;
    done = step;
    if (channel.stopsAfter(step)) return;
  }
}

const strategy = await start();
if (strategy) {
  serve(strategy);
  try {
    await strategy.teardown(ctx);
  } catch (e) {
    metrics.error();
    log.error(`strategy ${d.name}: teardown threw: ${message(e)}`);
  }
}
post({ type: 'stopped' });
