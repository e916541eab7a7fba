export * from './session-data.ts';
export * from './time-stamper.ts';
