export * from './interval.ts';
export type * from './bar.ts';
export { BarFlags, seriesKey } from './bar.ts';
export type * from './signal.ts';
export { NO_SIGNALS } from './signal.ts';
export type * from './order.ts';
export type * from './run.ts';
export type { Drawdown, StatsInput } from './run-stats.ts';
export { computeStats, dailyCloses, maxDrawdown, returnsOf, sharpeRatio, sortinoRatio } from './run-stats.ts';
