// Keeps the Orders, Order events and Sizing sections of writing-a-strategy.md true: their code is the
// bundled bracket_breakout example's own (which its tests run), and their figures are what the helpers give.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.ts';
import { strategyContext } from '../src/strategy/host/context.ts';

const ROOT = join(import.meta.dirname, '..');
const DOC = readFileSync(join(ROOT, 'docs/writing-a-strategy.md'), 'utf8');
const EXAMPLE = readFileSync(join(ROOT, 'strategies/examples/bracket_breakout.ts'), 'utf8');

/** Returns the text under a `## ` heading, up to the next one. */
function section(heading: string): string {
  const start = DOC.indexOf(`\n${heading}\n`);
  expect(start, `the doc has a section "${heading}"`).toBeGreaterThanOrEqual(0);
  const rest = DOC.slice(start + heading.length + 2);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Returns the ```ts blocks of a text. */
function tsBlocks(text: string): string[] {
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```\s*$/gm)].map((m) => m[1] ?? '');
}

/** Lines trimmed, the empty ones left out: code compared whatever its indentation. */
const lines = (code: string): string[] =>
  code
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

describe('writing-a-strategy.md: orders, order events, sizing', () => {
  const headings = ['## Orders', '## Order events', '## Sizing'];

  it('places the sections right after Fills, in this order', () => {
    const at = ['## Fills', ...headings, '## The context'].map((h) => DOC.indexOf(`\n${h}\n`));
    expect(at.every((x, i) => x > 0 && (i === 0 || x > at[i - 1]!))).toBe(true);
  });

  it('shows code that is the bundled example’s, line for line', () => {
    const example = lines(EXAMPLE).join('\n');
    const blocks = headings.flatMap((h) => tsBlocks(section(h)));
    expect(blocks.length).toBe(4);
    for (const block of blocks) expect(example).toContain(lines(block).join('\n'));
  });

  it('states the sizing figures the helper gives on ORCL’s last close', () => {
    const text = section('## Sizing').replace(/\s+/g, ' ');
    const [, close, buy, lot, held] =
      /close of 2014-12-31, ([\d.]+), .*`BUY` of (\d+) shares .* makes it (\d+), .* it is a `BUY` of (\d+)/.exec(
        text,
      ) ?? [];
    const ctx = (position: number) =>
      strategyContext({
        name: 's',
        log: silentLogger,
        subscribes: () => false,
        series: () => undefined,
        quality: () => 100,
        calendar: () => undefined,
        position: () => position,
        cash: () => 100_000,
        equity: () => 100_000,
        lastClose: () => Number(close),
        openOrders: () => [],
        now: () => 0,
      });
    expect(ORCL_LAST_CLOSE).toBe(Number(close));
    expect([
      ctx(0).targetPercent('ORCL', 0.1)?.quantity,
      ctx(0).targetPercent('ORCL', 0.1, { lot: 100 })?.quantity,
      ctx(100).targetPercent('ORCL', 0.1)?.quantity,
    ]).toEqual([Number(buy), Number(lot), Number(held)]);
  });
});

/** The Close column of the last row of the bundled ORCL file. */
const ORCL_LAST_CLOSE = Number(
  readFileSync(join(ROOT, 'data/daily/orcl-1995-2014.txt'), 'utf8').trim().split('\n').at(-1)!.split(',')[4],
);
