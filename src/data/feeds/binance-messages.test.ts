import { describe, expect, it } from 'vitest';
import { INTERVALS, type Interval } from '../../model/interval.ts';
import { klineStream, parseKlineMessage, parseKlineRows } from './binance-messages.ts';

const INTERVAL_OF: ReadonlyMap<string, Interval> = new Map(INTERVALS.map((i) => [i, i]));

// One kline of Binance's documentation, streamed and as a REST row: the bar 12:00-12:01 UTC.
const OPEN = Date.UTC(2024, 0, 2, 12, 0);
const k = { t: OPEN, T: OPEN + 59_999, s: 'BTCUSDT', i: '1m', o: '42000.10', c: '42010.5', h: '42020', l: '41990.01', v: '12.5', x: true };
const message = (kline: Record<string, unknown>) =>
  JSON.stringify({ stream: 'btcusdt@kline_1m', data: { e: 'kline', E: OPEN + 60_000, s: 'BTCUSDT', k: kline } });
const BAR = { symbol: 'BTCUSDT', interval: '1m', tsClose: OPEN + 60_000, open: 42000.1, high: 42020, low: 41990.01, close: 42010.5, volume: 12.5 };

describe('Binance kline messages', () => {
  it('names combined streams in lower case', () => {
    expect(klineStream('BTCUSDT', '1m')).toBe('btcusdt@kline_1m');
    expect(klineStream('EthBtc', '1h')).toBe('ethbtc@kline_1h');
  });

  it('stamps a streamed kline and the REST row of the same kline with the same close time (T + 1)', () => {
    expect(parseKlineMessage(message(k), INTERVAL_OF)).toEqual({ kind: 'closed', bar: BAR });
    const row = [OPEN, '42000.10', '42020', '41990.01', '42010.5', '12.5', OPEN + 59_999, '0', 3, '0', '0', '0'];
    expect(parseKlineRows([row], 'BTCUSDT', '1m')).toEqual({
      rows: [{ openMs: OPEN, closeTimeMs: OPEN + 59_999, bar: BAR }],
    });
  });

  it('ignores a kline still forming and the answer to a SUBSCRIBE request', () => {
    expect(parseKlineMessage(message({ ...k, x: false }), INTERVAL_OF)).toEqual({ kind: 'ignored' });
    expect(parseKlineMessage('{"result":null,"id":3}', INTERVAL_OF)).toEqual({ kind: 'ignored' });
  });

  it('says what is wrong with a message that is no closed kline', () => {
    const problem = (text: string) => {
      const m = parseKlineMessage(text, INTERVAL_OF);
      return m.kind === 'malformed' ? m.problem : m.kind;
    };
    expect(problem('{')).toMatch(/^not JSON/);
    expect(problem('[1]')).toBe('not a combined-stream message (stream, data)');
    expect(problem(JSON.stringify({ stream: 's', data: { e: 'trade' } }))).toBe('stream s: not a kline');
    expect(problem(message({ ...k, i: '3m' }))).toBe('stream btcusdt@kline_1m: unknown interval 3m');
    expect(problem(message({ ...k, x: 'yes' }))).toBe('stream btcusdt@kline_1m: x is not a boolean');
    expect(problem(message({ ...k, T: '1' }))).toBe('stream btcusdt@kline_1m: T is not a time');
    expect(problem(message({ ...k, o: 'abc' }))).toBe('stream btcusdt@kline_1m: open is not a number');
    expect(problem(message({ ...k, v: '' }))).toBe('stream btcusdt@kline_1m: volume is not a number');
  });

  it('says what is wrong with a REST answer that is no list of klines', () => {
    expect(parseKlineRows({ code: -1 }, 'X', '1m')).toEqual({ problem: 'the answer is not an array of klines' });
    expect(parseKlineRows([[1, '1']], 'X', '1m')).toEqual({ problem: 'kline 0 is not an array of 7 or more fields' });
    expect(parseKlineRows([['1', '1', '1', '1', '1', '1', 2]], 'X', '1m')).toEqual({
      problem: 'kline 0: open and close times must be numbers',
    });
    expect(parseKlineRows([[1, '1', 'x', '1', '1', '1', 2]], 'X', '1m')).toEqual({
      problem: 'kline 0: a price or the volume is not a number',
    });
  });
});
