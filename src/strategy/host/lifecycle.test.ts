import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../../core/errors.ts';
import { Lifecycle, STRATEGY_STATES, STRATEGY_TRANSITIONS } from './lifecycle.ts';

describe('the strategy lifecycle', () => {
  it('lists every state once, and every transition leads to a listed state', () => {
    expect(new Set(STRATEGY_STATES).size).toBe(STRATEGY_STATES.length);
    expect(Object.keys(STRATEGY_TRANSITIONS).sort()).toEqual([...STRATEGY_STATES].sort());
    for (const next of Object.values(STRATEGY_TRANSITIONS)) {
      for (const s of next) expect(STRATEGY_STATES).toContain(s);
    }
  });

  it('walks a run: started, paused and resumed, stopped; the run status survives teardown', () => {
    const life = new Lifecycle('s');
    const seen: string[] = [life.state];
    for (const to of ['starting', 'running', 'paused', 'running', 'paused', 'stopping', 'stopped'] as const) {
      life.to(to);
      seen.push(`${life.state}/${life.runStatus}`);
    }
    expect(seen).toEqual([
      'loaded',
      'starting/running',
      'running/running',
      'paused/paused',
      'running/running',
      'paused/paused',
      'stopping/paused',
      'stopped/paused',
    ]);
    expect(STRATEGY_TRANSITIONS[life.state]).toEqual([]);
  });

  it('keeps why a strategy faulted or did not start', () => {
    const refused = new Lifecycle('r');
    refused.to('starting');
    refused.to('stopped', 'setup returned false');
    expect([refused.state, refused.reason]).toEqual(['stopped', 'setup returned false']);
    const crashed = new Lifecycle('c');
    crashed.to('starting');
    crashed.to('running');
    crashed.to('faulted', 'the strategy thread crashed');
    expect([crashed.state, crashed.runStatus, crashed.reason, crashed.running]).toEqual([
      'faulted',
      'faulted',
      'the strategy thread crashed',
      false,
    ]);
  });

  it('refuses any other move with TF_ERR_STRATEGY_STATE, naming the states allowed next', () => {
    const life = new Lifecycle('sma');
    let error: unknown;
    try {
      life.to('running');
    } catch (e) {
      error = e;
    }
    expect(isTradeflowError(error) && error.code).toBe('TF_ERR_STRATEGY_STATE');
    expect((error as Error).message).toBe(
      'strategy sma is loaded; it cannot become running (from loaded it can become starting)',
    );
    life.to('starting');
    life.to('running');
    life.to('faulted', 'x');
    expect(() => life.to('stopping')).toThrow(
      'strategy sma is faulted; it cannot become stopping (it has ended)',
    );
    expect(life.state).toBe('faulted');
  });
});
