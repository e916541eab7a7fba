// The live example end to end with the real CLI: `feed serve` in one process, `tradeflow live` against it
// in another; it trades and records as the same session on the in-process replay feed does. And the
// broken inputs of both commands.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempFiles } from '../helpers.ts';

/** These tests start several CLI processes, each loading 79k bars; the machine may be shared. */
const LONG = 180_000;
const EXAMPLE = 'config/examples/live-fxy.json';
const tmp = tempFiles({});
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Starts `tradeflow feed serve` and resolves with its URL once it prints it, and the process. */
function feedServe(
  args: readonly string[],
): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, ['bin/tradeflow.mjs', 'feed', 'serve', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      const url = /serving (ws:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      if (url !== undefined) resolve({ url, child, stderr: () => stderr });
    });
    child.on('exit', (code) => reject(new Error(`feed serve exited with ${code}: ${stderr}`)));
  });
}

/** A run's orders, fills and trades as stored, without the run id. */
function recorded(db: string) {
  const d = new Database(db, { readonly: true });
  try {
    const runs = d.prepare('SELECT id, kind, status FROM runs').all() as {
      id: string;
      kind: string;
      status: string;
    }[];
    // The run id differs between the two runs, and so does each order's client order id made from it.
    const runId = runs[0]?.id ?? '';
    const rows = (table: string): Record<string, unknown>[] =>
      d
        .prepare(`SELECT * FROM ${table} ORDER BY id`)
        .all()
        .map((r) => {
          const row = r as Record<string, unknown>;
          const clientId = row['client_order_id'];
          return {
            ...row,
            run_id: undefined,
            ...(typeof clientId === 'string' ? { client_order_id: clientId.replace(runId, '<run>') } : {}),
          };
        });
    return {
      runs: runs.map((r) => [r.kind, r.status]),
      orders: rows('orders'),
      fills: rows('fills'),
      trades: rows('trades'),
    };
  } finally {
    d.close();
  }
}

/** A session config in a temp folder, rooted at the project, with the example's data and strategy. */
function exampleWith(name: string, live: unknown): string {
  const config = JSON.parse(readFileSync(join(ROOT, EXAMPLE), 'utf8')) as Record<string, unknown>;
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...config, name, root: ROOT, live }));
  return file;
}

describe('tradeflow feed serve and tradeflow live (the live example)', () => {
  it(
    'trades and records over the served feed exactly as on the in-process replay feed',
    async () => {
      const server = await feedServe([EXAMPLE, '--port', '0', '--speed', '1e9']);
      const [served, replayed] = await Promise.all([
        runCli([
          'live',
          EXAMPLE,
          '--feed',
          server.url,
          '--db',
          join(tmp, 'ws.db'),
          '--out',
          join(tmp, 'ws'),
          '--json',
        ]),
        runCli([
          'live',
          EXAMPLE,
          '--feed',
          'replay',
          '--speed',
          '1e9',
          '--db',
          join(tmp, 'replay.db'),
          '--out',
          join(tmp, 'replay'),
          '--json',
        ]),
      ]);
      expect([served.code, replayed.code], served.stderr + replayed.stderr).toEqual([0, 0]);
      const viaServer = recorded(join(tmp, 'ws.db'));
      const viaReplay = recorded(join(tmp, 'replay.db'));
      expect(viaServer.runs).toEqual([['live', 'completed']]);
      // It trades in the played part (2025-07-08), and every order is filled.
      expect(viaServer.orders.length).toBeGreaterThan(4);
      expect(
        viaServer.orders.every(
          (o) =>
            o['status'] === 'filled' && (o['ts_created'] as number) >= Date.parse('2025-07-08T00:00:00Z'),
        ),
      ).toBe(true);
      expect(viaServer).toEqual(viaReplay);
      // Every bar of the file was seen: the history before live.start and the played ones after it.
      const result = (r: typeof served) => JSON.parse(r.stdout) as { bars: number; status: string };
      expect([result(served).bars, result(replayed).bars]).toEqual([78_974, 78_974]);
      expect(server.stderr()).toMatch(/feed: all 246 bars played/);
      server.child.kill('SIGTERM');
      const code = await new Promise((resolve) => server.child.on('exit', resolve));
      expect(code).toBe(0);
    },
    LONG,
  );

  it(
    'refuses a bad --feed, a bad --speed, --speed on a WebSocket feed and a session without a feed',
    async () => {
      const noLive = exampleWith('no-live', undefined);
      const runs = await Promise.all([
        runCli(['live', EXAMPLE, '--feed', 'http://127.0.0.1:8765', '--no-db']),
        runCli(['live', EXAMPLE, '--feed', 'replay', '--speed', 'fast', '--no-db']),
        runCli(['live', EXAMPLE, '--speed', '10', '--no-db']),
        runCli(['live', noLive, '--no-db']),
      ]);
      expect(runs.map((r) => r.code)).toEqual([2, 1, 2, 2]);
      expect(runs[0].stderr).toMatch(
        /--feed: "http:\/\/127\.0\.0\.1:8765" is not a feed; use binance, replay, or a WebSocket URL/,
      );
      expect(runs[1].stderr).toMatch(
        /option '--speed <k>' argument 'fast' is invalid\. expected a number greater than 0/,
      );
      expect(runs[2].stderr).toMatch(
        /--speed: paces the replay feed only, and the feed is websocket \(live\.feed of config\/examples\/live-fxy\.json\)/,
      );
      expect(runs[3].stderr).toMatch(
        /no live feed: pass --feed binance\|replay\|ws:\/\/host:port, or set "live"/,
      );
    },
    LONG,
  );

  it(
    'names live.start when there are no bars to play from it, and --port when it is taken',
    async () => {
      const late = exampleWith('late', { feed: { type: 'replay' }, start: '2026-01-01T00:00:00Z' });
      const unset = exampleWith('unset', { feed: { type: 'replay' } });
      const taken: Server = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const port = (taken.address() as { port: number }).port;
      try {
        const runs = await Promise.all([
          runCli(['feed', 'serve', late, '--port', '0']),
          runCli(['live', unset, '--no-db']),
          runCli(['feed', 'serve', EXAMPLE, '--port', String(port)]),
        ]);
        expect(runs.map((r) => r.code)).toEqual([2, 2, 2]);
        expect(runs[0].stderr).toMatch(
          /late\.json: live\.start \(2026-01-01T00:00:00Z\) is after the last bar of every data source/,
        );
        expect(runs[1].stderr).toMatch(
          /unset\.json: live\.start is not set; a replay plays the bars from live\.start on/,
        );
        expect(runs[2].stderr).toMatch(
          new RegExp(`--port: cannot listen on 127\\.0\\.0\\.1:${port} \\(.*EADDRINUSE`),
        );
      } finally {
        await new Promise((resolve) => taken.close(resolve));
      }
    },
    LONG,
  );
});
