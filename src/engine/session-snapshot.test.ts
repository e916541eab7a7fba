import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../core/logger.ts';
import { probeSession, buy } from '../../test/probe-sessions.ts';
import { Engine } from './kernel.ts';
import { sessionSnapshot } from './session-snapshot.ts';

describe('sessionSnapshot', () => {
  it('shows the accounts, positions at their last price, strategies and the latest fills of a run', async () => {
    const engine = await Engine.create({
      session: probeSession({ strategies: [{ name: 'probe', config: { signals: { 1: buy(3) } } }] }),
      runId: 'snapshot',
      logger: new MemoryLogger(),
    });
    const before = sessionSnapshot(engine);
    expect(before.steps).toBe(0);
    expect(before.lastBarMs).toBeNull();
    expect(before.recentFills).toEqual([]);
    await engine.run();
    await engine.stop();
    const s = sessionSnapshot(engine, { fills: 1 });
    expect(s.mode).toBe('data');
    expect(s.paused).toBe(false);
    expect(s.steps).toBe(engine.steps);
    expect(s.lastBarMs).toBe(engine.lastStepMs);
    expect(s.recentFills).toEqual(engine.recorder.fills.slice(-1));
    expect(s.recentFills).toHaveLength(1);
    const [position] = s.accounts[0]!.positions;
    expect(position).toMatchObject({ strategy: 'probe', quantity: 3 });
    expect(position!.unrealizedPnl).toBeCloseTo((position!.lastPrice - position!.avgPrice) * 3, 9);
    expect(s.equity).toBeCloseTo(s.cash + position!.lastPrice * 3, 6);
    expect(s.strategies.map((m) => [m.name, m.signals])).toEqual([['probe', 1]]);
    // Plain JSON: it crosses threads and HTTP as it is.
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
