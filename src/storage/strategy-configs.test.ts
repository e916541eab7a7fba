import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { TestClock } from '../core/clock.ts';
import { isTradeflowError } from '../core/errors.ts';
import { SqliteStore } from './sqlite-store.ts';
import { aRun } from './store.fixture.ts';
import { StrategyConfigRepository } from './strategy-configs.ts';

const dir = mkdtempSync(join(tmpdir(), 'tradeflow-strategy-configs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `${++files}/runs.db`);

const T0 = Date.UTC(2026, 0, 5, 9, 0);

/** A repository over a new database file, with a test clock at T0. */
function repository(path = freshPath()) {
  const clock = new TestClock(T0);
  return { repo: new StrategyConfigRepository({ path, clock }), clock, path };
}

/** Returns the error `fn` throws, failing the test when it throws nothing. */
function errorOf(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected an error, none was thrown');
}

describe('StrategyConfigRepository', () => {
  it('adds a configuration with defaults and the clock time, and reads it back', () => {
    const { repo } = repository();
    const added = repo.add({ name: 'orcl_mom', type: 'momentum', instruments: ['ORCL'] });
    expect(added).toStrictEqual({
      name: 'orcl_mom',
      type: 'momentum',
      parameters: {},
      instruments: ['ORCL'],
      active_brokers: ['default'],
      enabled: true,
      validator_type: 'schema',
      created_at: T0,
      updated_at: T0,
    });
    expect(repo.get('orcl_mom')).toStrictEqual(added);
    expect(repo.find('nope')).toBeUndefined();
    repo.close();
  });

  it('lists by name, all or only the enabled ones', () => {
    const { repo } = repository();
    repo.add({ name: 'b', type: 'rsi', instruments: ['ORCL'], enabled: false });
    repo.add({ name: 'c', type: 'rsi', instruments: ['NVDA'] });
    repo.add({ name: 'a', type: 'strategies/examples/buy_and_hold', instruments: ['ORCL', 'NVDA'] });
    expect(repo.list().map((c) => c.name)).toStrictEqual(['a', 'b', 'c']);
    expect(repo.list({ enabledOnly: true }).map((c) => c.name)).toStrictEqual(['a', 'c']);
    repo.close();
  });

  it('updates the given fields, keeping created_at and stamping updated_at', () => {
    const { repo, clock } = repository();
    repo.add({
      name: 'x',
      type: 'momentum',
      instruments: ['ORCL'],
      parameters: { lookback: 20 },
      active_brokers: ['default', 'paper'],
    });
    clock.advance(60_000);
    const changed = repo.update('x', { parameters: { lookback: 30, entry_return: 0.1 }, enabled: false });
    expect(changed).toStrictEqual({
      name: 'x',
      type: 'momentum',
      parameters: { lookback: 30, entry_return: 0.1 },
      instruments: ['ORCL'],
      active_brokers: ['default', 'paper'],
      enabled: false,
      validator_type: 'schema',
      created_at: T0,
      updated_at: T0 + 60_000,
    });
    expect(repo.get('x')).toStrictEqual(changed);
    repo.close();
  });

  it('removes a configuration', () => {
    const { repo } = repository();
    repo.add({ name: 'x', type: 'rsi', instruments: ['ORCL'] });
    repo.remove('x');
    expect(repo.list()).toStrictEqual([]);
    repo.close();
  });

  it('keeps configurations across a reopen, in the same file as the runs', () => {
    const { repo, path } = repository();
    repo.add({
      name: 'x',
      type: 'rsi',
      instruments: ['ORCL'],
      parameters: { period: 10, nested: { a: [1] } },
    });
    repo.close();
    const store = new SqliteStore(path);
    store.startRun(aRun());
    store.close();
    const again = repository(path).repo;
    expect(again.get('x').parameters).toStrictEqual({ period: 10, nested: { a: [1] } });
    again.close();
  });

  it('refuses a name already stored, and names not stored, telling what to do', () => {
    const { repo } = repository();
    repo.add({ name: 'x', type: 'rsi', instruments: ['ORCL'] });
    const taken = errorOf(() => repo.add({ name: 'x', type: 'momentum', instruments: ['NVDA'] }));
    expect(isTradeflowError(taken, 'TF_ERR_STORED_STRATEGY')).toBe(true);
    expect(taken.message).toMatch(/"x" already exists; change it with `tradeflow strategies set x`/);
    for (const call of [
      () => repo.get('y'),
      () => repo.update('y', { enabled: false }),
      () => repo.remove('y'),
    ]) {
      const missing = errorOf(call);
      expect(isTradeflowError(missing, 'TF_ERR_STORED_STRATEGY')).toBe(true);
      expect(missing.message).toMatch(/no strategy configuration "y"; `tradeflow strategies list`/);
    }
    expect(repo.get('x').type).toBe('rsi');
    repo.close();
  });

  it('refuses invalid names and fields, naming the field, and writes nothing', () => {
    const { repo } = repository();
    const cases: [() => unknown, RegExp][] = [
      [() => repo.add({ name: 'a b', type: 'rsi', instruments: ['X'] }), /name "a b": must be letters/],
      [
        () => repo.add({ name: 'a', type: 'rsi', instruments: [] }),
        /"a": instruments: needs at least one symbol/,
      ],
      [
        () => repo.add({ name: 'a', type: 'rsi', instruments: ['X'], active_brokers: ['p', 'p'] }),
        /active_brokers: names an account twice/,
      ],
      [
        () => repo.add({ name: 'a', type: 'rsi', instruments: ['X'], parameters: { symbols: ['Y'] } }),
        /parameters: give the symbols as instruments/,
      ],
      [() => repo.add({ name: 'a', type: '', instruments: ['X'] }), /type: Too small/],
    ];
    for (const [call, message] of cases) {
      const e = errorOf(call);
      expect(isTradeflowError(e, 'TF_ERR_STORED_STRATEGY'), e.message).toBe(true);
      expect(e.message).toMatch(message);
    }
    expect(repo.list()).toStrictEqual([]);
    repo.add({ name: 'a', type: 'rsi', instruments: ['X'] });
    expect(errorOf(() => repo.update('a', { instruments: [] })).message).toMatch(/instruments/);
    expect(repo.get('a').instruments).toStrictEqual(['X']);
    repo.close();
  });

  it('reports a stored row it cannot read as a storage error naming the configuration', () => {
    const { repo, path } = repository();
    repo.add({ name: 'x', type: 'rsi', instruments: ['ORCL'] });
    const db = new Database(path);
    db.prepare(`UPDATE strategy_configurations SET instruments = '{broken' WHERE name = 'x'`).run();
    db.close();
    const e = errorOf(() => repo.list());
    expect(isTradeflowError(e, 'TF_ERR_STORAGE')).toBe(true);
    expect(e.message).toMatch(/"x": instruments is not JSON/);
    repo.close();
  });

  it('refuses every call once closed', () => {
    const { repo } = repository();
    repo.close();
    expect(
      isTradeflowError(
        errorOf(() => repo.list()),
        'TF_ERR_STORAGE',
      ),
    ).toBe(true);
    repo.close();
  });

  it('stores a validator type and risk limits, changes and removes them, and reads them back', () => {
    const { repo, clock } = repository();
    const risk = { max_position_shares: 100, daily_loss_limit: 500 };
    const added = repo.add({ name: 'r', type: 'rsi', instruments: ['ORCL'], validator_type: 'none', risk });
    expect(added).toStrictEqual({
      name: 'r',
      type: 'rsi',
      parameters: {},
      instruments: ['ORCL'],
      active_brokers: ['default'],
      enabled: true,
      validator_type: 'none',
      risk,
      created_at: T0,
      updated_at: T0,
    });
    expect(repo.get('r')).toStrictEqual(added);
    clock.advance(1000);
    const changed = repo.update('r', { validator_type: 'schema_loose', risk: { max_open_orders: 2 } });
    expect(changed).toMatchObject({ validator_type: 'schema_loose', risk: { max_open_orders: 2 } });
    expect(repo.get('r')).toStrictEqual(changed);
    // Changing another field keeps the risk; `risk: null` removes it.
    expect(repo.update('r', { enabled: false }).risk).toStrictEqual({ max_open_orders: 2 });
    const cleared = repo.update('r', { risk: null });
    expect(Object.hasOwn(cleared, 'risk')).toBe(false);
    expect(repo.get('r')).toStrictEqual(cleared);
    repo.close();
  });

  it('refuses an unknown validator type and bad risk limits, naming the field, and writes nothing', () => {
    const { repo } = repository();
    const cases: [() => unknown, string][] = [
      [
        () => repo.add({ name: 'a', type: 'rsi', instruments: ['X'], validator_type: 'strict' as never }),
        'strategy configuration "a": validator_type: Invalid option: expected one of "schema"|"schema_loose"|"none"',
      ],
      [
        () => repo.add({ name: 'a', type: 'rsi', instruments: ['X'], risk: { max_open_orders: 0 } }),
        'strategy configuration "a": risk.max_open_orders: Too small: expected number to be >=1',
      ],
      [
        () => repo.add({ name: 'a', type: 'rsi', instruments: ['X'], risk: { max_shares: 1 } as never }),
        'strategy configuration "a": risk: Unrecognized key: "max_shares"',
      ],
    ];
    for (const [call, message] of cases) {
      const e = errorOf(call);
      expect(isTradeflowError(e, 'TF_ERR_STORED_STRATEGY'), e.message).toBe(true);
      expect(e.message).toBe(message);
    }
    expect(repo.list()).toStrictEqual([]);
    repo.close();
  });

  it('reports a stored validator type or risk it cannot use as a storage error naming the row', () => {
    const { repo, path } = repository();
    repo.add({ name: 'x', type: 'rsi', instruments: ['ORCL'] });
    const db = new Database(path);
    db.prepare(`UPDATE strategy_configurations SET validator_type = 'loose' WHERE name = 'x'`).run();
    expect(errorOf(() => repo.get('x')).message).toMatch(/stored "x": validator_type: Invalid option/);
    db.prepare(
      `UPDATE strategy_configurations SET validator_type = 'schema', risk = '{"max_order_notional":-1}' WHERE name = 'x'`,
    ).run();
    expect(errorOf(() => repo.get('x')).message).toMatch(/stored "x": risk.max_order_notional: /);
    db.prepare(`UPDATE strategy_configurations SET risk = '{oops' WHERE name = 'x'`).run();
    const e = errorOf(() => repo.get('x'));
    expect(isTradeflowError(e, 'TF_ERR_STORAGE')).toBe(true);
    expect(e.message).toMatch(/"x": risk is not JSON/);
    db.close();
    repo.close();
  });

  it('migrates a database of schema 7: its stored configurations read back with no risk', () => {
    const { repo, path } = repository();
    repo.add({ name: 'old', type: 'rsi', instruments: ['ORCL'] });
    repo.close();
    const db = new Database(path);
    db.exec('ALTER TABLE strategy_configurations DROP COLUMN risk');
    db.pragma('user_version = 7');
    db.close();
    const again = repository(path).repo;
    expect(again.get('old')).toMatchObject({ name: 'old', validator_type: 'schema' });
    expect(Object.hasOwn(again.get('old'), 'risk')).toBe(false);
    again.close();
  });
});
