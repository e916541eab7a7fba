// Builds the runner a strategy's placement asks for: inline on the engine's thread, or in a thread of its
// own, each with the time and memory limits of its session entry.
import type { CalendarSpec, StrategyEntry } from '../../config/session-config.ts';
import type { Logger } from '../../core/logger.ts';
import type { SeriesDescriptor } from '../../data/session-data.ts';
import { strategyKind } from '../kind.ts';
import type { LoadedStrategy } from '../loader.ts';
import { InlineRunner } from './inline-runner.ts';
import type { Placement, StrategyRunner } from './runner.ts';
import { ThreadRunner } from './thread-runner.ts';
import type { ThreadSync } from './thread-sync.ts';

/** What building a runner takes from the manager. */
export interface RunnerDeps {
  readonly log: Logger;
  readonly sync: ThreadSync;
  /** How long a thread spins before it sleeps, for the run's number of threads. */
  readonly spin: number;
  readonly series: readonly SeriesDescriptor[];
  readonly symbols: readonly string[];
  readonly calendars: readonly { readonly symbol: string; readonly spec: CalendarSpec }[];
  /** Called when an inline strategy is faulted (a call past its time limit). */
  readonly onInlineFault: () => void;
}

/** Returns the runner for a loaded strategy where `placement` says; a thread's policy is set in `sync`. */
export function createRunner(s: LoadedStrategy, placement: Placement, d: RunnerDeps): StrategyRunner {
  const kind = strategyKind(s.strategy);
  const entry: StrategyEntry = s.entry;
  if (placement.isolation === 'inline') {
    return new InlineRunner({
      strategy: s.strategy,
      index: s.index,
      kind,
      placement,
      log: d.log,
      limits: {
        setupMs: entry.setup_timeout_ms,
        stepMs: entry.step_timeout_ms,
        teardownMs: entry.teardown_timeout_ms,
      },
      onFault: d.onInlineFault,
    });
  }
  const runner = new ThreadRunner({
    index: s.index,
    kind,
    placement,
    sync: d.sync,
    subscriptions: s.strategy.getSubscriptions(),
    queueSize: entry.queue_size,
    spin: d.spin,
    group: d.sync.groupCell,
    log: d.log,
    limits: {
      setupMs: entry.setup_timeout_ms,
      teardownMs: entry.teardown_timeout_ms,
      maxHeapMb: entry.max_heap_mb,
      maxOffheapMb: entry.max_offheap_mb,
    },
    worker: {
      file: s.module.file,
      className: s.module.className,
      name: s.strategy.name,
      config: s.strategy.config,
      series: d.series,
      symbols: d.symbols,
      calendars: d.calendars,
    },
  });
  d.sync.setPolicy(runner, {
    stepTimeoutMs: entry.step_timeout_ms,
    queueSize: entry.queue_size,
    onQueueFull: entry.on_queue_full,
    onBackpressure: entry.on_backpressure,
  });
  return runner;
}
