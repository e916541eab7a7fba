import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSessionConfig } from '../config/session-config.ts';
import { expectedBars } from '../data/quality.ts';
import { InlineRunner } from '../strategy/host/inline-runner.ts';
import { ROOT } from '../../test/helpers.ts';
import { QualityProbeStrategy } from '../../test/fixtures/project/strategies/quality_probe.ts';
import { Engine } from './kernel.ts';

const FIXTURE_ROOT = resolve(import.meta.dirname, '../../test/fixtures/project');

describe('Engine: bar quality reaches strategies', () => {
  it('calls onQualityUpdate once per session day with the share of expected bars present', async () => {
    const config = parseSessionConfig({
      data: [
        {
          symbol: 'DBB',
          file: resolve(ROOT, 'data/intraday/DBB_1min.csv'),
          format: 'ohlcv',
          calendar: 'us_equities',
        },
      ],
      strategies: [
        {
          module: 'strategies/quality_probe',
          isolation: 'inline',
          config: { symbols: ['DBB'], interval: '15m' },
        },
      ],
    });
    const engine = await Engine.create({
      session: { config, name: 'q', file: 'q.json', root: FIXTURE_ROOT },
      runId: 'q',
    });
    await engine.run();
    await engine.stop();
    const runner = engine.runners[0];
    if (!(runner instanceof InlineRunner)) throw new Error('expected an inline runner');
    // The module instance may differ from the one the test imports, so check by name rather than instanceof.
    expect(runner.strategy.constructor.name).toBe(QualityProbeStrategy.name);
    const { updates } = runner.strategy as QualityProbeStrategy;

    const source = engine.loaded.sources[0]!;
    const cal = source.calendar;
    const fifteen = engine.loaded.data.get('DBB', '15m')!;
    const sessionDays = new Set<number>();
    for (let i = 0; i < fifteen.length; i++) sessionDays.add(cal.dayKey(fifteen.timeAt(i)));
    expect(updates.length).toBeGreaterThan(400);
    expect(new Set(updates.map((u) => cal.dayKey(u.now))).size).toBe(updates.length);
    for (const u of updates) {
      expect(u).toMatchObject({ symbol: 'DBB', interval: '15m' });
      expect(u.asked).toBe(u.quality);
    }
    // The last update: 15m bars present over slots expected since the first session with data.
    const last = updates.at(-1)!;
    const first = cal.sessionAt(fifteen.timeAt(0))!;
    const expected = expectedBars(cal, '15m', first.openMs, last.now);
    expect(last.quality).toBeCloseTo((100 * fifteen.length) / expected, 9);
    expect(last.quality).toBeGreaterThan(10);
    expect(last.quality).toBeLessThan(100);
    expect(sessionDays.size).toBeGreaterThan(400);
  });
});
