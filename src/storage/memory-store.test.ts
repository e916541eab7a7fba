import { MemoryStore } from './memory-store.ts';
import { runStoreContract } from './store.contract.ts';
import { liveStoreContract } from './store-live.contract.ts';

runStoreContract('MemoryStore', () => new MemoryStore());
liveStoreContract('MemoryStore', () => new MemoryStore());
