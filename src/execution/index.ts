export type * from './broker.ts';
export * from './costs.ts';
export * from './execution-ids.ts';
export * from './paper-broker.ts';
export * from './portfolio.ts';
