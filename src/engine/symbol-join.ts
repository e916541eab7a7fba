// Symbols that join a running session, and strategies' subscriptions that change, both between steps.
import type { CalendarSpec } from '../config/session-config.ts';
import type { Logger } from '../core/logger.ts';
import { seriesKey } from '../model/bar.ts';
import type { Subscription } from '../strategy/base-strategy.ts';
import type { AccountBook } from './accounts.ts';
import type { DataProcessor, SeriesSlot } from './data-processor.ts';
import type { SeriesQuality } from './series-quality.ts';
import { admitSource, type GrowingData, resolveSubscriptions, type StagedSource } from './session-builder.ts';
import type { StrategyRunner } from '../strategy/host/runner.ts';
import type { StrategyManager } from '../strategy/host/strategy-manager.ts';

/*
 * Symbols that join a running session, and subscriptions that change. Both happen between steps: the
 * symbol's file is loaded, its bars up to the join time are published at once as warm-up history, every
 * strategy is told (`onSymbolAdded`) and asked for its subscriptions, and the subscription map is rebuilt
 * from the answers. A strategy whose answer cannot be used (a hook threw, a subscription names no data)
 * keeps its previous subscriptions; the problem is logged with its name.
 */

/** What joining and resubscribing need from the engine. */
export interface JoinDeps {
  readonly loaded: GrowingData;
  readonly processor: DataProcessor;
  readonly quality: SeriesQuality;
  readonly accounts: AccountBook;
  readonly strategies: StrategyManager;
  readonly log: Logger;
}

/** What a join did: the symbol, its history and which strategies subscribe to it now. */
export interface JoinReport {
  readonly symbol: string;
  /** Bars of the symbol published as warm-up history when it joined. */
  readonly historyBars: number;
  /** Strategies whose subscriptions include the symbol after the join. */
  readonly subscribers: readonly string[];
}

/**
 * Enters a loaded data source (see `stageSource`) into the running session; its bars that close at or
 * before `historyUntil` become warm-up history. Aggregated series that strategies ask for are built up to
 * `nowMs` (the clock's time: buckets still open then stay open).
 */
export async function joinSymbol(
  deps: JoinDeps,
  staged: StagedSource,
  calendar: CalendarSpec,
  historyUntil: number,
  nowMs: number,
): Promise<JoinReport> {
  const { loaded, processor, quality, accounts, strategies, log } = deps;
  // Every part of the session learns the symbol (and its id) before any strategy is asked anything.
  const source = admitSource(loaded, staged);
  accounts.addSymbol(source.symbol);
  strategies.addSymbol(source.symbol);
  quality.track(source.series, source.calendar);
  processor.addSource(source, historyUntil, (slot) => quality.onBar(slot.series));
  const historyBars = source.series.length;
  try {
    const answers = await strategies.restate({
      op: 'join',
      symbol: source.symbol,
      series: [source.series.descriptor],
      calendar: { symbol: source.symbol, spec: calendar },
    });
    await applyAnswers(deps, answers, nowMs);
  } finally {
    // Whatever happened, the map covers every series slot (the symbol's own among them).
    strategies.rebuildRoutes(processor.slots.length);
  }
  const subscribers = strategies.runners
    .filter((r) => r.subscriptions().some(([s]) => s === source.symbol))
    .map((r) => r.name);
  log.info(
    `${source.symbol} joined the session with ${historyBars} bars of history; subscribed: ${subscribers.join(', ') || 'none'}`,
  );
  return { symbol: source.symbol, historyBars, subscribers };
}

/** Asks every strategy for its subscriptions now and routes the changed ones (series they need are built at `nowMs`). */
export async function restateSubscriptions(deps: JoinDeps, nowMs: number): Promise<void> {
  await applyAnswers(deps, await deps.strategies.restate(), nowMs);
}

async function applyAnswers(
  deps: JoinDeps,
  answers: ReadonlyMap<StrategyRunner, readonly Subscription[] | string>,
  nowMs: number,
): Promise<void> {
  const { loaded, processor, quality, strategies, log } = deps;
  for (const [runner, answer] of answers) {
    if (typeof answer === 'string') {
      log.error(`strategy ${runner.name}: ${answer}; it keeps its subscriptions`);
      continue;
    }
    if (sameSubscriptions(runner.subscriptions(), answer)) continue;
    let slots: (SeriesSlot | undefined)[];
    try {
      slots = resolveSubscriptions(runner.name, answer, loaded).map((sub) => {
        const existing = processor.slotOf(loaded.data, sub.symbol, sub.interval);
        if (existing) return existing;
        const slot = processor.addAggregate(loaded.data, sub, nowMs);
        if (slot) quality.trackPublished(slot.series, sub.source.calendar);
        return slot;
      });
    } catch (e) {
      log.error(`${(e as Error).message}; it keeps its subscriptions`);
      continue;
    }
    // A thread is sent the series new to its subscriptions (those created now among them).
    const known = new Set(runner.subscriptions().map(([s, i]) => seriesKey(s, i)));
    const series = slots
      .filter((s): s is SeriesSlot => s !== undefined && !known.has(s.series.key))
      .map((s) => s.series.descriptor);
    await strategies.resubscribe(runner, answer, slots, series);
  }
  strategies.rebuildRoutes(processor.slots.length);
}

function sameSubscriptions(a: readonly Subscription[], b: readonly Subscription[]): boolean {
  return a.length === b.length && a.every(([s, i], k) => s === b[k]![0] && i === b[k]![1]);
}
