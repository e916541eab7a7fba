// Starts a run's worker thread without a build step: register tsx's loader, then import the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./run-worker.ts');
