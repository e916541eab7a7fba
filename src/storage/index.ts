export type * from './store.ts';
export { SqliteStore } from './sqlite-store.ts';
export { ThreadedSqliteStore } from './threaded-store.ts';
export { MemoryStore } from './memory-store.ts';
export { SCHEMA_VERSION } from './schema.ts';
