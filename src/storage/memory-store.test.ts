import { MemoryStore } from './memory-store.ts';
import { runStoreContract } from './store.contract.ts';

runStoreContract('MemoryStore', () => new MemoryStore());
