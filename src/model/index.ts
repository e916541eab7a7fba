export * from './interval.ts';
export type * from './bar.ts';
export { BarFlags, seriesKey } from './bar.ts';
export type * from './signal.ts';
export { NO_SIGNALS } from './signal.ts';
export type * from './order.ts';
export type * from './run.ts';
