// The per-step commit of a live run: after each step, its events, the bars it published and the state of
// the accounts go to the store in one transaction, and the next step waits until they are durable.
import type { LiveState, StoredBar } from '../model/live-state.ts';
import type { RunStore } from '../storage/store.ts';
import type { AccountBook } from './accounts.ts';
import type { RunRecorder } from './recorder.ts';
import type { LoadedData } from './session-builder.ts';
import type { Stepper } from './stepper.ts';

/** What the committer reads after each step. */
export interface LiveCommitParts {
  readonly runId: string;
  readonly store: RunStore;
  readonly recorder: RunRecorder;
  readonly accounts: AccountBook;
  readonly loaded: LoadedData;
  readonly stepper: Stepper;
}

/**
 * Commits a live run step by step, so that a run killed at any point resumes from its last step with nothing
 * lost or written twice: each commit holds the step's orders, fills, trades, signals and equity points, the
 * base bars it published (so the resume rebuilds the series), and the run's state after it (cash, books,
 * marks, id and step counters), in one transaction (RunStore.writeStep). Only steps are committed: the bars
 * published before (bar files, a resumed run's stored bars) are where `start` finds them.
 */
export class LiveCommitter {
  readonly #p: LiveCommitParts;
  /** Per source (by symbol id): how many of its bars are stored or came from files. */
  #committed: number[] = [];

  constructor(p: LiveCommitParts) {
    this.#p = p;
  }

  /** Starts committing: bars published so far are not the steps' own; the recorder hands events only here. */
  start(): void {
    this.#committed = this.#p.loaded.sources.map((s) => s.series.length);
    this.#p.recorder.commitBySteps();
  }

  /** Commits the step just run; resolves when it is durable (at once for a store that writes in place). */
  commit(): Promise<void> {
    const { runId, store, recorder } = this.#p;
    store.writeStep(runId, { ...recorder.takeBatch(), bars: this.#newBars(), state: this.state() });
    return store.flush();
  }

  /** Returns the run's state after the last step. */
  state(): LiveState {
    const { accounts, stepper } = this.#p;
    return {
      steps: stepper.steps,
      exposureSteps: stepper.exposureSteps,
      lastTs: stepper.lastTs,
      nextOrder: accounts.ids.nextOrder,
      nextFill: accounts.ids.nextFill,
      nextTrade: accounts.ids.nextTrade,
      accounts: accounts.states(),
    };
  }

  /** The base bars published since the last commit, in symbol order (a symbol that joined counts from its join). */
  #newBars(): StoredBar[] {
    const bars: StoredBar[] = [];
    const { sources } = this.#p.loaded;
    for (let id = 0; id < sources.length; id++) {
      const { series, symbol } = sources[id]!;
      const published = series.length;
      const from = this.#committed[id] ?? published;
      for (let i = from; i < published; i++) {
        bars.push({
          symbol,
          interval: series.interval,
          ts: series.timeAt(i),
          open: series.openAt(i),
          high: series.highAt(i),
          low: series.lowAt(i),
          close: series.closeAt(i),
          volume: series.volumeAt(i),
        });
      }
      this.#committed[id] = published;
    }
    return bars;
  }
}
