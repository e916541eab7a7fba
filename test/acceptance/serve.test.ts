import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';

// Runs the real `tradeflow serve` as a child process and talks to it over loopback, as a user would on a
// fresh clone. Every wait is bounded, and a child a test leaves behind is killed.

const tmp = mkdtempSync(join(tmpdir(), 'tradeflow-serve-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

interface Server {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: string;
}

/** Starts `tradeflow serve` with `args`, without TRADEFLOW_API_TOKEN unless `env` sets it. */
function serve(args: readonly string[], env: Record<string, string> = {}): Server {
  const { TRADEFLOW_API_TOKEN: _drop, ...parentEnv } = process.env;
  const child = spawn(process.execPath, ['bin/tradeflow.mjs', 'serve', ...args], {
    cwd: ROOT,
    env: { ...parentEnv, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  const server: Server = {
    child,
    exited: new Promise((done) => child.on('exit', (code, signal) => done({ code, signal }))),
    stderr: '',
  };
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (server.stderr += s));
  return server;
}

/** Resolves as `p` does, or fails after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, fail) =>
      setTimeout(() => fail(new Error(`no ${what} within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/** Waits for the address the server prints on stderr. */
async function address(server: Server): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = /^serving: (http:\/\/127\.0\.0\.1:\d+)[^\n]*\n/m.exec(server.stderr)?.[1];
    if (url !== undefined) return url;
    if (server.child.exitCode !== null) throw new Error(`serve exited early: ${server.stderr}`);
    if (Date.now() > deadline) throw new Error(`no address within 30 s; stderr: ${server.stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  signal: AbortSignal.timeout(30_000),
  ...(body === undefined
    ? {}
    : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
});

describe('tradeflow serve', () => {
  it('screens ORCL, NVDA and YHOO from the bundled data and reports the run progress', async () => {
    const server = serve(['--port', '0', '--db', join(tmp, 'serve.db')]);
    const base = await address(server);

    const res = await fetch(
      `${base}/api/strategies/execute`,
      json('POST', { strategy: 'bullish_breakout', tickers: ['ORCL', 'NVDA', 'YHOO'], parameters: {} }),
    );
    expect(res.status).toBe(200);
    const run = (await res.json()) as {
      run_id: string;
      status: string;
      results: { ticker: string; status: string }[];
    };
    expect(run.run_id).toMatch(/^bullish-breakout-\d{8}-\d{9}-\d+$/);
    expect(run.status).toBe('completed');
    expect(run.results.map((r) => [r.ticker, r.status])).toEqual([
      ['ORCL', 'ok'],
      ['NVDA', 'ok'],
      ['YHOO', 'ok'],
    ]);

    const progress = await fetch(`${base}/api/strategies/runs/${run.run_id}/progress`, json('GET'));
    expect(progress.status).toBe(200);
    expect(await progress.json()).toMatchObject({
      status: 'completed',
      completed: 3,
      total: 3,
      percent: 100,
    });

    server.child.kill('SIGTERM');
    expect(await within(server.exited, 10_000, 'exit after SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('refuses a non-loopback host without TRADEFLOW_API_TOKEN, and checks the token with one', async () => {
    const refused = serve(['--port', '0', '--host', '0.0.0.0', '--db', join(tmp, 'refused.db')]);
    expect((await within(refused.exited, 30_000, 'exit')).code).toBe(2);
    expect(refused.stderr).toMatch(
      /^error: TF_ERR_UNSAFE_BIND: refusing to serve on 0\.0\.0\.0 without an API token/m,
    );

    const token = 'acceptance-token-0123456789abcdef';
    const guarded = serve(['--port', '0', '--host', '127.0.0.1', '--db', join(tmp, 'guarded.db')], {
      TRADEFLOW_API_TOKEN: token,
    });
    const base = await address(guarded);
    expect(guarded.stderr).toContain('(API token required)');
    expect((await fetch(`${base}/api/strategies`, json('GET'))).status).toBe(401);
    const ok = await fetch(`${base}/api/tickers`, {
      ...json('GET'),
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ tickers: ['NVDA', 'ORCL', 'YHOO'], total: 3 });
    guarded.child.kill('SIGINT');
    expect(await within(guarded.exited, 10_000, 'exit after SIGINT')).toEqual({ code: 0, signal: null });
  });
});
