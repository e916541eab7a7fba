// Keeps the "Risk limits" section of writing-a-strategy.md true: runs its session and checks the figures
// it states.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSessionConfig } from '../src/config/session-config.ts';
import { runBacktestWithResult } from '../src/report/backtest-outcome.ts';

const ROOT = resolve(import.meta.dirname, '..');
const doc = readFileSync(join(ROOT, 'docs/writing-a-strategy.md'), 'utf8');
const section = doc.slice(doc.indexOf('\n## Risk limits\n'));

/** The section's session: its jsonc block, comment lines left out. */
function sessionOfSection(): Record<string, unknown> {
  const block = /^```jsonc\n([\s\S]*?)^```$/m.exec(section)?.[1] ?? '';
  const json = block
    .split('\n')
    .filter((l) => !l.trim().startsWith('//'))
    .join('\n');
  return JSON.parse(json) as Record<string, unknown>;
}

async function runSession(raw: Record<string, unknown>) {
  const config = parseSessionConfig(raw, 'writing-a-strategy.md');
  return runBacktestWithResult({
    session: { config, name: 'risk-doc', file: join(ROOT, 'risk-doc.json'), root: ROOT },
    runId: 'risk-doc',
    startedAt: 0,
  });
}

/** Returns the first capture of `re` in the section with line breaks folded; fails when absent. */
function stated(re: RegExp): string {
  const m = re.exec(section.replace(/\s*\n\s*/g, ' '));
  expect(m, String(re)).not.toBeNull();
  return m?.[1] ?? '';
}

describe('writing-a-strategy.md: risk limits', () => {
  it('runs its session and gets the refusals, trades and final value it states', async () => {
    const raw = sessionOfSection();
    const { result, engine } = await runSession(raw);
    const refused = engine.recorder.orders.filter((o) => o.riskRule !== undefined);
    expect(refused.length).toBe(Number(stated(/limit refuses \*\*(\d+)\*\* entries/)));
    expect(engine.getMetrics().system.riskRejections).toEqual([
      { strategy: 'simple_ma_cross', rule: 'max_position_notional', count: refused.length },
    ]);
    const first = refused[0]!;
    expect(new Date(first.tsCreated).toISOString().slice(0, 10)).toBe(
      stated(/the first on the close of (\S+):/),
    );
    expect(first.reason).toBe(stated(/: `(risk max_position_notional: [^`]+)`/));
    expect(result.trades.length).toBe(Number(stated(/The run closes \*\*(\d+)\*\* trades/)));
    expect(result.final_value.toFixed(2)).toBe(stated(/ends at \*\*([\d,.]+)\*\*/).replace(/,/g, ''));
  });

  it('states what the same session gives without limits', async () => {
    const raw = sessionOfSection() as {
      strategies: Record<string, unknown>[];
      broker: Record<string, unknown>;
    };
    const { result } = await runSession({
      ...raw,
      strategies: raw.strategies.map(({ risk: _risk, ...s }) => s),
      broker: { ...raw.broker, risk: undefined },
    });
    expect(result.trades.length).toBe(Number(stated(/without limits closes (\d+) trades/)));
    expect(result.final_value.toFixed(2)).toBe(stated(/and ends at ([\d,.]+)\./).replace(/,/g, ''));
  });
});
