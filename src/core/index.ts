export * from './errors.ts';
export * from './clock.ts';
export * from './logger.ts';
export * from './zod-errors.ts';
export * from './ids.ts';
export * from './time.ts';
