// `npm run bench` prints each figure with its ratio to the target; `npm run bench -- --json` prints one
// JSON object of the same figures by key. Benchmarks never fail on a timing.
import { backtestBench } from './backtest.bench.ts';
import { type Figure, table } from './harness.ts';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');

const figures: Figure[] = [...(await backtestBench({ bars: quick ? 100_000 : 1_000_000, runs: quick ? 1 : 3 }))];

if (json) {
  process.stdout.write(JSON.stringify(Object.fromEntries(figures.map((f) => [f.key, Number(f.value.toPrecision(6))]))) + '\n');
} else {
  process.stdout.write(table(figures) + '\n');
}
