// What happens between two steps of a run: symbols joining at their time, and the changes asked for
// while the run goes on.
import type { DataSourceConfig, LoadedSession } from '../config/session-config.ts';
import type { Logger } from '../core/logger.ts';
import type { ReplayPacer } from './pacer.ts';
import { type StagedSource, stageSource } from './session-builder.ts';
import { type JoinDeps, type JoinReport, joinSymbol, restateSubscriptions } from './symbol-join.ts';

/** A data source that joins the session at a time (`join_at`), loaded at start. */
interface ScheduledJoin {
  readonly at: number;
  readonly config: DataSourceConfig;
  readonly staged: StagedSource;
  readonly where: string;
}

/** What the changes need from the engine. */
export interface BetweenStepsOptions {
  readonly session: LoadedSession;
  /** The data sources with `join_at`, loaded at start, by config index. */
  readonly staged: ReadonlyMap<number, StagedSource>;
  readonly deps: JoinDeps;
  /** Returns the time of the last step run (-Infinity before the first). */
  readonly lastStep: () => number;
  /** A live run: all the bars a joining symbol's file holds are history. */
  readonly live: boolean;
  readonly pacer: ReplayPacer | undefined;
  readonly log: Logger;
}

interface Waiting {
  readonly run: () => Promise<void>;
  readonly fail: (e: Error) => void;
}

/**
 * What happens between two steps of a run: the symbols due to join (`join_at`), and the changes asked for
 * while the run goes on (`addSymbol`, `updateSubscriptions`), which wait for the next gap between steps.
 * Outside a run they happen at once. The replay clock is paused meanwhile.
 */
export class BetweenSteps {
  readonly #o: BetweenStepsOptions;
  readonly #joins: ScheduledJoin[];
  readonly #waiting: Waiting[] = [];
  #running = false;
  /** Changes made outside a run, one after the other. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(o: BetweenStepsOptions) {
    this.#o = o;
    this.#joins = [...o.staged]
      .map(([i, staged]) => {
        const config = o.session.config.data[i]!;
        return { at: Date.parse(config.join_at!), config, staged, where: `data[${i}]` };
      })
      .sort((a, b) => a.at - b.at);
  }

  /** Loads a data source and adds its symbol to the session (see `Engine.addSymbol`). */
  addSymbol(d: DataSourceConfig): Promise<JoinReport> {
    return this.#when(() => {
      const staged = stageSource(this.#o.session.root, this.#o.deps.loaded, d, 'addSymbol');
      const last = this.#o.lastStep();
      return joinSymbol(
        this.#o.deps,
        staged,
        d.calendar,
        this.#o.live ? Number.POSITIVE_INFINITY : last,
        last,
      );
    });
  }

  /** Restates every strategy's subscriptions (see `Engine.updateSubscriptions`). */
  updateSubscriptions(): Promise<void> {
    return this.#when(() => restateSubscriptions(this.#o.deps, this.#o.lastStep()));
  }

  /** A run starts: changes asked for from now on wait for a gap between steps; those under way finish first. */
  async start(): Promise<void> {
    this.#running = true;
    await this.#chain;
  }

  /** Whether anything is due before the step at `t`. */
  dueBefore(t: number): boolean {
    return this.#waiting.length > 0 || (this.#joins.length > 0 && this.#joins[0]!.at < t);
  }

  /**
   * Runs what is due before the step at `t`: the first symbol due to join (one at a time, as its next bar
   * may come before `t`: look again after), else every change waiting.
   */
  async before(t: number): Promise<void> {
    this.#o.pacer?.pause();
    try {
      const join = this.#joins[0];
      if (join !== undefined && join.at < t) {
        this.#joins.shift();
        const history = this.#o.live ? Number.POSITIVE_INFINITY : join.at;
        const now = this.#o.live ? this.#o.lastStep() : join.at;
        await joinSymbol(this.#o.deps, join.staged, join.config.calendar, history, now);
        return;
      }
      while (this.#waiting.length > 0) await this.#waiting.shift()!.run();
    } finally {
      this.#o.pacer?.resume();
    }
  }

  /** The run ended: logs the joins it ended before, then runs the changes still waiting. */
  async end(): Promise<void> {
    for (const j of this.#joins.splice(0)) {
      this.#o.log.warn(
        `${j.where}: ${j.config.symbol} was to join at ${j.config.join_at}, after the session's last bar; it never joined`,
      );
    }
    while (this.#waiting.length > 0) await this.#waiting.shift()!.run();
    this.#running = false;
  }

  /** The run failed: the changes still waiting fail with its error. */
  fail(e: unknown): void {
    this.#running = false;
    const error = e instanceof Error ? e : new Error(String(e));
    for (const w of this.#waiting.splice(0)) w.fail(error);
  }

  #when<T>(work: () => Promise<T>): Promise<T> {
    if (!this.#running) {
      const done = this.#chain.then(work);
      this.#chain = done.catch(() => undefined);
      return done;
    }
    return new Promise<T>((resolve, reject) => {
      // The change's failure is its caller's, not the run's: the run goes on.
      const run = async () => {
        try {
          resolve(await work());
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      };
      this.#waiting.push({ run, fail: reject });
    });
  }
}
