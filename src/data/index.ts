export * from './session-data.ts';
