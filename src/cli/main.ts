// The `tradeflow` entry point: everything else lives in cli.ts so tests can import it without running it.
import { main } from './cli.ts';

await main(process.argv.slice(2));
