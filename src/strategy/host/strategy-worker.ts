// One strategy in its own thread: it reads bars in place from the session's shared buffers, takes
// notifications from its ring, and leaves each step's signals in the outbox.
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { Logger } from '../../core/logger.ts';
import { createCalendar, type TradingCalendar } from '../../data/calendar.ts';
import type { SeriesDescriptor } from '../../data/session-data.ts';
import { type SeriesKey, seriesKey } from '../../model/bar.ts';
import type { Signal } from '../../model/signal.ts';
import type { BaseStrategy } from '../base-strategy.ts';
import { ConsumerChannel, float64View, Kind } from './channel.ts';
import { strategyContext } from './context.ts';
import { HookCaller, messageOf, type StepNotifications } from './hooks.ts';
import { MetricsWriter } from './metrics.ts';
import { OrderBook } from './order-book.ts';
import { callOnTick, tickSnapshot } from './tick-call.ts';
import {
  type ControlReply,
  type ControlRequest,
  type EventsMessage,
  State,
  type StrategyWorkerData,
  type WorkerMessage,
} from './protocol.ts';

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
const descriptors = new Map<SeriesKey, SeriesDescriptor>(
  d.series.map((s) => [seriesKey(s.symbol, s.interval), s]),
);
const calendars = new Map<string, TradingCalendar>(
  d.calendars.map((c) => [c.symbol, createCalendar(c.spec)]),
);

/** The strategy's working orders as its delivered events left them (what `ctx.openOrders` reads). */
const book = new OrderBook();
/** Reads a value of a symbol in the shared state (`field`: State.Close or 0 for the position). */
const symbolValue = (symbol: string, field: number, none: number): number => {
  const id = symbolIds.get(symbol);
  return id === undefined ? none : state[State.Positions + State.Stride * id + field]!;
};

const ctx = strategyContext({
  name: d.name,
  log,
  subscribes: (key) => subIndex.has(key),
  series: (symbol, interval) => descriptors.get(seriesKey(symbol, interval)),
  quality: (symbol, interval) => {
    const k = subIndex.get(seriesKey(symbol, interval));
    return k === undefined ? 100 : quality[k]!;
  },
  calendar: (symbol) => calendars.get(symbol),
  position: (symbol) => symbolValue(symbol, 0, 0),
  cash: () => state[State.Cash]!,
  equity: () => state[State.Equity]!,
  lastClose: (symbol) => symbolValue(symbol, State.Close, Number.NaN),
  openOrders: () => book.orders(),
  now: () => state[State.Now]!,
});

/** The strategy instance (once constructed): `onTick` is called on it directly (tick-call.ts). */
let strategy: BaseStrategy | undefined;

/** Constructs the strategy and starts it under the hook policy; tells the engine how it went. */
async function start(): Promise<HookCaller | undefined> {
  const mod = (await import(pathToFileURL(d.file).href)) as Record<string, unknown>;
  const Cls = mod[d.className] as new (config: unknown, name: string) => BaseStrategy;
  strategy = new Cls(d.config, d.name);
  const hooks = new HookCaller(strategy, log, metrics);
  post({ type: 'loaded' });
  const outcome = await hooks.start(ctx, d.setupTimeoutMs);
  post(
    outcome.ok
      ? outcome.degraded === undefined
        ? { type: 'ready', ok: true }
        : { type: 'ready', ok: true, degraded: outcome.degraded }
      : { type: 'ready', ok: false, reason: outcome.reason },
  );
  return outcome.ok ? hooks : undefined;
}

/** The strategy's subscriptions as it states them now, or why it could not. */
function reply(stated: ReturnType<HookCaller['restate']>): ControlReply {
  return typeof stated === 'string'
    ? { error: stated }
    : { subscriptions: stated.map(([s, i]) => [s, i] as const) };
}

function handle(hooks: HookCaller, request: ControlRequest): ControlReply {
  switch (request.op) {
    case 'join': {
      symbolIds.set(request.symbol, symbolIds.size);
      for (const s of request.series) descriptors.set(seriesKey(s.symbol, s.interval), s);
      calendars.set(request.calendar.symbol, createCalendar(request.calendar.spec));
      state = float64View(d.channel.state);
      return reply(hooks.restate(request.symbol));
    }
    case 'ask':
      return reply(hooks.restate());
    case 'use': {
      subs = request.subscriptions;
      subIndex = new Map(subs.map(([s, i], k) => [seriesKey(s, i), k]));
      for (const s of request.series) descriptors.set(seriesKey(s.symbol, s.interval), s);
      quality = float64View(d.channel.quality, subs.length);
      return {};
    }
  }
}

/** Answers the control request waiting on the control port (before the step is marked done). */
function control(hooks: HookCaller): void {
  const received = receiveMessageOnPort(d.control);
  if (received === undefined) {
    log.error(`strategy ${d.name}: a control notification came without its request; ignored`);
    return;
  }
  d.control.postMessage(handle(hooks, received.message as ControlRequest));
}

/** Takes the order events waiting on the events port for a Kind.Events notification, under the hook policy. */
function events(hooks: HookCaller): void {
  const received = receiveMessageOnPort(d.events);
  if (received === undefined) {
    log.error(`strategy ${d.name}: an events notification came without its events; ignored`);
    return;
  }
  const message = received.message as EventsMessage;
  if ('seed' in message) book.seed(message.seed);
  else hooks.onEvents(message.events, book);
}

/** Steps between two looks at the thread's memory (a look costs about a microsecond). */
const MEMORY_CHECK_STEPS = 8;
const MB = 1024 * 1024;
/** The thread's off-heap memory (array buffers and native memory V8 knows of) when it was last taken as the base. */
let offheapBase = 0;

/**
 * Returns the thread's off-heap memory in bytes: what V8 counts as external, the thread's own array buffers
 * included (the session's shared bar columns are not: they belong to the engine's thread).
 */
function offheapBytes(): number {
  return getHeapStatistics().external_memory;
}

/**
 * Writes the thread's memory to its metrics block; when its off-heap memory grew more than
 * `max_offheap_mb` since setup, says so there: the engine faults
 * the thread when it collects the step. The heap is bounded by the thread's `resourceLimits` instead.
 */
function checkMemory(): void {
  const heap = getHeapStatistics();
  const heapMb = heap.used_heap_size / MB;
  const grownMb = Math.max(0, heap.external_memory - offheapBase) / MB;
  metrics.memory(heapMb, grownMb);
  if (grownMb > d.maxOffheapMb) metrics.overLimit(d.maxOffheapMb);
}

function serve(hooks: HookCaller): void {
  const channel = new ConsumerChannel(d.channel);
  offheapBase = offheapBytes();
  checkMemory();
  let done = 0;
  let steps = 0;
  const signals: Signal[] = [];
  // Bars go to the strategy through the hook policy; control requests and quality updates are handled here.
  const notifications: StepNotifications = {
    next: () => channel.next(),
    bar(v) {
      const kind = v >>> 24;
      if (kind === Kind.Bar) return subs[v & 0xffffff];
      if (kind === Kind.Events) events(hooks);
      else if (kind === Kind.Control) control(hooks);
      else if (kind === Kind.Tick) {
        const snapshot = tickSnapshot(state[State.Now]!, subs, (s, i) => ctx.bars(s, i));
        callOnTick(strategy!, snapshot, signals, { log, metrics });
      } else {
        const [symbol, interval] = subs[v & 0xffffff]!;
        hooks.onQualityUpdate(symbol, interval, quality[v & 0xffffff]!);
      }
      return undefined;
    },
  };
  for (;;) {
    const step = channel.awaitStep(done);
    const groupTag = channel.groupTag;
    hooks.onStep(notifications, signals);
    if (++steps % MEMORY_CHECK_STEPS === 0) checkMemory();
    let json = '';
    if (signals.length > 0) {
      try {
        json = JSON.stringify(signals);
      } catch (e) {
        metrics.error();
        log.error(
          `strategy ${d.name}: its signals of one step could not be sent (${messageOf(e)}); they are dropped`,
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

const hooks = await start();
let late: string | undefined;
if (hooks) {
  serve(hooks);
  late = await hooks.teardown(ctx, d.teardownTimeoutMs);
}
post(late === undefined ? { type: 'stopped' } : { type: 'stopped', late });
