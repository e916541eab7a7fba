// Keeps the "Scheduled strategies" section of writing-a-strategy.md true: its bundled strategy is the file
// as it is, and its session runs to the figures it states.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtest } from '../test/helpers.ts';

const ROOT = resolve(import.meta.dirname, '..');
const doc = readFileSync(join(ROOT, 'docs', 'writing-a-strategy.md'), 'utf8');
const HEADING = '\n## Scheduled strategies\n';
const text = doc.slice(doc.indexOf(HEADING) + HEADING.length);
const nextHeading = text.search(/^## /m);
const section = nextHeading < 0 ? text : text.slice(0, nextHeading);

function blocks(lang: string): string[] {
  return [...section.matchAll(/^```(\w*)[^\n]*\n([\s\S]*?)^```\s*$/gm)]
    .filter((m) => m[1] === lang)
    .map((m) => m[2] ?? '');
}

function figure(re: RegExp): string[] {
  const m = re.exec(section.replace(/\s+/g, ' '));
  expect(m, `the section states ${String(re)}`).not.toBeNull();
  return (m ?? []).slice(1);
}

const number = (s: string | undefined) => Number((s ?? '').replace(/,/g, ''));

describe('writing-a-strategy.md: Scheduled strategies', () => {
  it('shows the bundled tick_buy_and_hold as it is', () => {
    const shown = blocks('typescript').find((b) => b.includes('export class'));
    expect(shown).toBe(readFileSync(join(ROOT, 'strategies/examples/tick_buy_and_hold.ts'), 'utf8'));
  });

  it('runs its session to the figures it states', async () => {
    const [json] = blocks('jsonc');
    const { result } = await backtest(JSON.parse(json ?? ''), 'fxy-ticks');
    const [ticks] = figure(/gets \*\*([\d,]+) ticks\*\*/);
    const [trades] = figure(/makes \*\*([\d,]+) round trips\*\*/);
    const [held, symbol] = figure(/ends holding (\d+) ([A-Z]+)/);
    const [equity] = figure(/final equity of \*\*([\d,]+\.\d\d)\*\*/);
    expect(result.status).toBe('completed');
    expect(result.strategies.map((s) => [s.name, s.notifications, s.errors])).toEqual([
      ['tick_ma_cross', number(ticks), 0],
    ]);
    expect(result.trades).toHaveLength(number(trades));
    expect(result.open_positions.map((p) => [p.symbol, p.quantity])).toEqual([[symbol, number(held)]]);
    expect(Math.round(result.final_value * 100)).toBe(Math.round(number(equity) * 100));
  });
});
