import type { CalendarSpec } from '../../config/session-config.ts';
import type { SeriesDescriptor } from '../../data/session-data.ts';
import type { Interval } from '../../model/interval.ts';
import type { ChannelBuffers } from './channel.ts';

/** What a strategy thread receives once, at start. */
export interface StrategyWorkerData {
  readonly file: string;
  readonly className: string;
  readonly name: string;
  readonly config: unknown;
  readonly channel: ChannelBuffers;
  /** Every series of the session: read in place, never copied. */
  readonly series: readonly SeriesDescriptor[];
  /** Symbol names by id (positions are kept by id in the shared state). */
  readonly symbols: readonly string[];
  /** The strategy's subscriptions; a notification names one by its index here. */
  readonly subscriptions: readonly (readonly [string, Interval])[];
  /** Each symbol's calendar, for `ctx.sessionOf`. */
  readonly calendars: readonly { readonly symbol: string; readonly spec: CalendarSpec }[];
}

/** Messages a strategy thread sends (rare: start, logs, stop). */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly ok: boolean; readonly reason?: string; readonly degraded?: string }
  | {
      readonly type: 'log';
      readonly level: 'debug' | 'info' | 'warn' | 'error';
      readonly msg: string;
      readonly fields?: Readonly<Record<string, unknown>>;
    }
  | { readonly type: 'stopped' };

/** Offsets in the shared state block (Float64). */
export const State = { Now: 0, Cash: 1, Positions: 2 } as const;
