// Keeps the feed and download documentation true: the protocol examples of live.md parse as the feed
// reads them, its config and defaults match the schema, and cli.md lists every option of the download.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../src/cli/cli.ts';
import { LiveSchema } from '../src/config/session-config.ts';
import { parseBarMessage, subscribeMessage } from '../src/data/feeds/websocket-messages.ts';

const DOCS = resolve(import.meta.dirname);
const live = readFileSync(join(DOCS, 'live.md'), 'utf8');
const cli = readFileSync(join(DOCS, 'cli.md'), 'utf8');

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

const blocks = (text: string, lang: string): string[] =>
  [...text.matchAll(/^ *```(\w*)\n([\s\S]*?)^ *```$/gm)]
    .filter((m) => m[1] === lang)
    .map((m) => m[2]!.trim());

describe('live.md, Feeds', () => {
  const feeds = section(live, '## Feeds');
  const json = blocks(feeds, 'json');

  it('shows live sections the schema accepts, with its defaults', () => {
    const configs = json
      .filter((b) => b.startsWith('"live"'))
      .map((b) => JSON.parse(`{${b}}`) as { live: unknown });
    expect(configs.length).toBe(2);
    for (const c of configs) expect(LiveSchema.safeParse(c.live).success).toBe(true);
    const defaults = LiveSchema.parse({ feed: { type: 'binance' } });
    expect((configs[0]!.live as Record<string, unknown>)['feed']).toEqual(defaults.feed);
    for (const [setting, value] of [
      ['reconnect.max_attempts', defaults.reconnect.max_attempts],
      ['reconnect.initial_delay_ms', defaults.reconnect.initial_delay_ms],
      ['reconnect.max_delay_ms', defaults.reconnect.max_delay_ms],
      ['heartbeat_ms', defaults.heartbeat_ms],
    ] as const) {
      expect(feeds).toContain(`| \`${setting}\` | ${value} |`);
    }
  });

  it('shows the subscribe, bar and end messages as the feed writes and reads them', () => {
    const [subscribe, bar, end] = json.filter((b) => b.startsWith('{"'));
    expect(JSON.parse(subscribe!)).toEqual(
      JSON.parse(subscribeMessage([{ symbol: 'FXY', interval: '1m', sinceMs: 1688996820000 }])),
    );
    expect(parseBarMessage(bar!)).toEqual({
      bars: [
        {
          symbol: 'FXY',
          interval: '1m',
          tsClose: Date.parse('2023-07-10T13:47:00Z'),
          open: 65.62,
          high: 65.63,
          low: 65.6,
          close: 65.61,
          volume: 583,
        },
      ],
    });
    expect(parseBarMessage(end!)).toEqual({ end: 'all 300 bars sent' });
  });
});

describe('cli.md, download', () => {
  it('documents every option of download binance in its usage line and table', () => {
    const download = buildCli().commands.find((c) => c.name() === 'download');
    const binance = download?.commands.find((c) => c.name() === 'binance');
    expect(binance).toBeDefined();
    const text = section(cli, '## `tradeflow download binance <SYMBOL>`');
    const usage = /^tradeflow download binance <SYMBOL> (.*)$/m.exec(text)?.[1] ?? '';
    const rows = [...text.matchAll(/^\| `(--[^`]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual((binance?.options ?? []).map((o) => o.flags).sort());
    for (const o of binance?.options ?? []) expect(usage).toContain(o.long ?? '');
    expect(live).toContain(
      `tradeflow download binance <SYMBOL> --interval 1m --from <date> --to <date> --out <file> [--rest-url <url>]`,
    );
  });
});
