// `npm run bench` prints each figure with its ratio to the target; `npm run bench -- --json` prints one
// JSON object of the same figures by key. Benchmarks never fail on a timing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiBench } from './api.bench.ts';
import { backtestBench, minuteSession, writeMinuteBars } from './backtest.bench.ts';
import { type Figure, table } from './harness.ts';
import { liveCommitBench } from './live-commit.bench.ts';
import { liveBench } from './live.bench.ts';
import { mlBench } from './ml.bench.ts';
import { notifyBench } from './notify.bench.ts';
import { storeBench } from './store.bench.ts';
import { threadBench } from './thread.bench.ts';
import { ticksBench } from './ticks.bench.ts';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const runs = quick ? 1 : 3;

const dir = mkdtempSync(join(tmpdir(), 'tradeflow-bench-'));
const figures: Figure[] = [];
try {
  const file = join(dir, 'orcl-1m.csv');
  writeMinuteBars(file, quick ? 100_000 : 1_000_000);
  const session = minuteSession(file);
  figures.push(...(await backtestBench({ session, dir, runs })));
  figures.push(...(await storeBench({ session, dir, runs: quick ? 1 : 5 })));
  figures.push(...(await ticksBench({ session, dir, runs })));
  figures.push(...(await liveCommitBench({ dir, quick })));
  figures.push(...(await threadBench({ file, dir, runs, quick })));
  figures.push(...(await notifyBench({ quick })));
  figures.push(...(await liveBench({ dir, quick })));
  figures.push(...(await mlBench({ quick })));
  figures.push(...(await apiBench({ dir, quick })));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (json) {
  process.stdout.write(
    JSON.stringify(Object.fromEntries(figures.map((f) => [f.key, Number(f.value.toPrecision(6))]))) + '\n',
  );
} else {
  process.stdout.write(table(figures) + '\n');
}
