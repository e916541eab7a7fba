export * from './base-strategy.ts';
export * from './loader.ts';
export * from './names.ts';
export { NO_SIGNALS } from '../model/signal.ts';
export type { Signal, SignalAction } from '../model/signal.ts';
export * from './host/inline-runner.ts';
export * from './registry.ts';
export * from './decision-policy.ts';
export * from './per-symbol.ts';
