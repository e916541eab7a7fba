// `tradeflow live` when its feed gives up: the run ends interrupted and the command exits 3 with an
// `error:` line that names the feed's URL.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ROOT, runCli, tempFiles } from './helpers.ts';

/** Returns a ws:// URL on 127.0.0.1 where nothing listens (a port the system gave, then freed). */
async function deadUrl(): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `ws://127.0.0.1:${address.port}`;
}

describe('tradeflow live with a feed that gives up', () => {
  it('exits 3, prints an error naming the URL, and writes the result as interrupted', async () => {
    const rows = readFileSync(join(ROOT, 'data/intraday/FXY_1min.csv'), 'utf8').trim().split('\n');
    const dir = tempFiles({ 'history.csv': rows.slice(0, 31).join('\n') + '\n' });
    const file = join(dir, 'live.json');
    writeFileSync(
      file,
      JSON.stringify({
        root: ROOT,
        data: [{ symbol: 'FXY', file: join(dir, 'history.csv'), format: 'ohlcv', calendar: '24h' }],
        strategies: [
          {
            module: 'strategies/examples/simple_ma_cross',
            isolation: 'inline',
            config: { symbols: ['FXY'], interval: '1m', fast_period: 5, slow_period: 20, position_size: 10 },
          },
        ],
        // Two quick retries, then the feed gives up.
        live: { reconnect: { max_attempts: 2, initial_delay_ms: 50, max_delay_ms: 100 } },
      }),
    );
    const url = await deadUrl();
    const out = join(dir, 'out');
    const run = await runCli(['live', file, '--feed', url, '--no-db', '--out', out]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(new RegExp(`^error: .*${url.replace(/[.]/g, '\\.')}.*interrupted`, 'm'));
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as Record<string, unknown>;
    expect(result).toMatchObject({ status: 'interrupted', feed: { outcome: 'failed' } });
    expect(result.error).toContain(url);
  }, 60_000);
});
