// Keeps docs/ml.md true: runs its session examples and checks the trade counts it states for them.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadedSession, parseSessionConfig } from '../src/config/session-config.ts';
import { MemoryLogger } from '../src/core/logger.ts';
import { runBacktestWithResult } from '../src/report/backtest-outcome.ts';

const ROOT = resolve(import.meta.dirname, '..');
const doc = readFileSync(join(ROOT, 'docs/ml.md'), 'utf8');
const blocks = [...doc.matchAll(/^```json\n([\s\S]*?)^```\s*$/gm)].map((m) => m[1] ?? '');
/** The page's text with line breaks folded, so a figure split over two lines is still found. */
const text = doc.replace(/\s+/g, ' ');

async function run(block: string, i: number) {
  const config = parseSessionConfig(JSON.parse(block), `ml.md example ${i}`);
  const session: LoadedSession = {
    config,
    name: config.name ?? 'ml',
    file: join(ROOT, 'ml.json'),
    root: ROOT,
  };
  const log = new MemoryLogger();
  const { result } = await runBacktestWithResult({
    session,
    runId: `ml-doc-${i}`,
    startedAt: 0,
    logger: log,
  });
  expect(log.records.filter((r) => r.level === 'warn' || r.level === 'error')).toEqual([]);
  expect(result.strategies.map((s) => [s.name, s.status, s.errors])).toEqual(
    config.strategies.map((s) => [s.type, 'ran', 0]),
  );
  const trades = (name: string) => result.trades.filter((t) => t.strategy === name).length;
  return { trades, result };
}

describe('ml.md', () => {
  it('has the two session examples', () => {
    expect(blocks.map((b) => (JSON.parse(b) as { name: string }).name)).toEqual([
      'ml-models',
      'hybrid-example',
    ]);
  });

  it('runs the models example with the trades and final values the figures table states', async () => {
    const { trades } = await run(blocks[0]!, 0);
    for (const name of ['ml_mean_reversion', 'ml_breakout']) {
      const row = new RegExp(
        `\\| \`${name}\` \\([\\d,]+ rows\\) \\|[^|]*\\|[^|]*\\|[^|]*\\| \\*\\*(\\d+)\\*\\*`,
      ).exec(text);
      expect(row, name).not.toBeNull();
      expect(trades(name), name).toBe(Number(row![1]));
    }
  });

  it('runs the hybrid example with the trades the page states', async () => {
    const { trades } = await run(blocks[1]!, 1);
    const stated = /the example above closes \*\*(\d+) trades\*\*/.exec(text);
    expect(stated).not.toBeNull();
    expect(trades('hybrid')).toBe(Number(stated![1]));
  });
});
