export * from './session-data.ts';
export * from './time-stamper.ts';
export * from './loaders/index.ts';
export * from './calendar.ts';
export * from './holidays.ts';
export * from './aggregator.ts';
export * from './quality.ts';
