import { describe, expect, it } from 'vitest';
import { endMessage, parseBarMessage, subscribeMessage } from './websocket-messages.ts';

describe('the JSON feed protocol', () => {
  it('reads the end message, and only the exact form, as the end of the feed', () => {
    expect(parseBarMessage(endMessage('all 300 bars sent'))).toEqual({ end: 'all 300 bars sent' });
    expect(parseBarMessage('{"end": 1}')).toHaveProperty('problem');
    expect(parseBarMessage('{"end": "x", "symbol": "A"}')).toHaveProperty('problem');
  });

  it('reads a bar and asks for streams with the last bar held', () => {
    expect(parseBarMessage('{"symbol":"A","time":60000,"open":1,"high":2,"low":1,"close":2}')).toEqual({
      bars: [{ symbol: 'A', interval: '1m', tsClose: 60_000, open: 1, high: 2, low: 1, close: 2, volume: 0 }],
    });
    expect(
      JSON.parse(subscribeMessage([{ symbol: 'A', interval: '1m', sinceMs: 60_000 }, { symbol: 'B', interval: '5m' }])),
    ).toEqual({ subscribe: [{ symbol: 'A', interval: '1m', since: 60_000 }, { symbol: 'B', interval: '5m' }] });
  });
});
