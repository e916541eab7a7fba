// Keeps docs/api.md and docs/screener.md true: sends every documented request, in order, to an app built
// with buildApp, and compares each answer with the documented one; checks the screener's parameter table
// against its schema and its example figures against a real evaluation.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.ts';
import { delay, monotonicMs, TestClock } from '../src/core/clock.ts';
import { bullishBreakout, bullishBreakoutSchema } from '../src/screener/bullish-breakout.ts';
import { slowTickerSource } from '../src/screener/slow-source.fixture.ts';
import { bundledTickerSource } from '../src/screener/ticker-source.ts';

const DOCS = resolve(import.meta.dirname);
const readDoc = (name: string) => readFileSync(join(DOCS, name), 'utf8');
const TOKEN = 'docs-token-0123456789abcdef0123';

/** One fenced block: its language, the rest of its info string, and its text. */
interface Block {
  readonly lang: string;
  readonly info: string;
  readonly text: string;
}

function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(\w*)([^\n]*)\n([\s\S]*?)^```\s*$/gm)].map((m) => ({
    lang: m[1] ?? '',
    info: (m[2] ?? '').trim(),
    text: m[3] ?? '',
  }));
}

/** An HTTP message as the doc writes it: a first line, headers, a blank line, a body. */
function parseMessage(text: string): { first: string; headers: Record<string, string>; body: string } {
  const [head = '', ...rest] = text.split(/\n\s*\n/);
  const [first = '', ...lines] = head.split('\n');
  const headers = Object.fromEntries(
    lines.map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()];
    }),
  );
  return { first: first.trim(), headers, body: rest.join('\n\n').trim() };
}

interface Example {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly nowait: boolean;
  readonly status: number;
  readonly responseHeaders: Record<string, string>;
  readonly responseBody: string;
}

/** Pairs each request block (```http starting with a method) with the response block after it. */
function examples(markdown: string): Example[] {
  const http = blocks(markdown).filter((b) => b.lang === 'http');
  const out: Example[] = [];
  for (let i = 0; i < http.length; i++) {
    const req = parseMessage(http[i]?.text ?? '');
    const m = /^(GET|POST|PUT|DELETE|PATCH) (\S+)$/.exec(req.first);
    if (!m) continue;
    const res = parseMessage(http[i + 1]?.text ?? '');
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(res.first);
    expect(status, `a response follows ${req.first}`).not.toBeNull();
    out.push({
      method: m[1] ?? '',
      url: m[2] ?? '',
      headers: req.headers,
      body: req.body,
      nowait: http[i]?.info === 'nowait',
      status: Number(status?.[1]),
      responseHeaders: res.headers,
      responseBody: res.body,
    });
    i++;
  }
  return out;
}

const RUN_ID = /^[a-z0-9-]+-\d{8}-\d{9}-\d+(-\d+)?$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Compares a documented value with the answer. `"..."` matches anything; an object with a `"..."` key
 * may have more keys, otherwise the keys are the same; an array ending in `"..."` may be longer. Times
 * (ISO strings, `elapsed_ms`) vary from run to run, so they are compared by format only.
 */
function matches(doc: unknown, actual: unknown, path: string, key = ''): string[] {
  if (doc === '...') return [];
  if (key === 'elapsed_ms') return typeof actual === 'number' ? [] : [`${path}: not a number`];
  if (typeof doc === 'string' && ISO.test(doc)) {
    return typeof actual === 'string' && ISO.test(actual)
      ? []
      : [`${path}: ${JSON.stringify(actual)} is not a time`];
  }
  if (Array.isArray(doc)) {
    if (!Array.isArray(actual)) return [`${path}: not an array`];
    const open = doc.at(-1) === '...';
    const shown = open ? doc.slice(0, -1) : doc;
    if (open ? actual.length < shown.length : actual.length !== shown.length) {
      return [`${path}: ${actual.length} entries, the doc shows ${doc.length}`];
    }
    return shown.flatMap((d, i) => matches(d, actual[i], `${path}[${i}]`));
  }
  if (typeof doc === 'object' && doc !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
      return [`${path}: not an object`];
    const a = actual as Record<string, unknown>;
    const d = doc as Record<string, unknown>;
    const open = '...' in d;
    const problems = Object.keys(d)
      .filter((k) => k !== '...')
      .flatMap((k) => (k in a ? matches(d[k], a[k], `${path}.${k}`, k) : [`${path}.${k}: missing`]));
    if (!open) {
      for (const k of Object.keys(a)) if (!(k in d)) problems.push(`${path}.${k}: not in the doc`);
    }
    return problems;
  }
  return Object.is(doc, actual)
    ? []
    : [`${path}: ${JSON.stringify(actual)}, the doc says ${JSON.stringify(doc)}`];
}

describe('api.md', () => {
  const doc = readDoc('api.md');
  const app = buildApp({
    db: ':memory:',
    // Loads take a few ms, so that a run is still going when the doc's next request comes.
    tickerSource: slowTickerSource(bundledTickerSource(), 3),
    clock: new TestClock(Date.UTC(2024, 0, 2, 9, 30)),
    token: TOKEN,
    maxConcurrentRuns: 1,
  });
  afterAll(() => app.close());

  it('runs every documented request and gets the documented answer', async () => {
    const list = examples(doc);
    expect(list.length).toBeGreaterThan(20);
    /** Documented run ids and the ones this app gave. */
    const ids = new Map<string, string>();
    const substitute = (text: string) =>
      text.replace(/[a-z0-9-]+-\d{8}-\d{9}-\d+/g, (id) => ids.get(id) ?? id);
    for (const ex of list) {
      const where = `${ex.method} ${ex.url}`;
      if (!ex.nowait) {
        const deadline = monotonicMs() + 30_000;
        while ((await app.inject({ url: '/healthz' })).json<{ active_runs: number }>().active_runs > 0) {
          if (monotonicMs() > deadline) throw new Error(`runs still going before ${where}`);
          await delay(5).promise;
        }
      }
      const res = await app.inject({
        method: ex.method as 'GET' | 'POST',
        url: substitute(ex.url),
        headers: { authorization: `Bearer ${TOKEN}`, ...ex.headers },
        ...(ex.body === '' ? {} : { payload: substitute(ex.body) }),
      });
      expect(res.statusCode, `${where}: ${res.body.slice(0, 500)}`).toBe(ex.status);
      const documented = JSON.parse(ex.responseBody) as Record<string, unknown>;
      const actual = res.json<Record<string, unknown>>();
      const docId = documented['run_id'];
      if (typeof docId === 'string' && RUN_ID.test(docId) && !ids.has(docId))
        ids.set(docId, String(actual['run_id']));
      const expected = JSON.parse(substitute(ex.responseBody)) as unknown;
      expect(matches(expected, actual, '(body)'), where).toEqual([]);
      for (const [name, value] of Object.entries(ex.responseHeaders)) {
        expect(res.headers[name], `${where}: header ${name}`).toBe(substitute(value));
      }
    }
  });

  it('shows every route the app serves', async () => {
    await app.ready();
    // printRoutes draws a tree: each line's depth is where its branch starts, four columns per level.
    const stack: string[] = [];
    const routes: string[] = [];
    for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /^(.*?)[├└]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
      if (!m) continue;
      const depth = (m[1] ?? '').length / 4;
      stack.splice(depth, stack.length, m[2] ?? '');
      for (const method of (m[3] ?? '').split(', ').filter((x) => x !== 'HEAD'))
        routes.push(`${method} ${stack.join('')}`);
    }
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) expect(doc, route).toContain(route);
  });
});

describe('screener.md', () => {
  const doc = readDoc('screener.md');

  it('lists every bullish_breakout parameter with its default, and no other', () => {
    const rows = [...doc.matchAll(/^\| `(\w+)` \| (`[^`]*`|\([^)]*\)) \|/gm)].map((m) => [
      m[1] ?? '',
      m[2] ?? '',
    ]);
    const defaults = bullishBreakoutSchema.parse({}) as Record<string, unknown>;
    const keys = Object.keys(bullishBreakoutSchema.def.shape);
    const params = rows.filter(([name]) => keys.includes(name ?? ''));
    expect(params.map(([name]) => name).sort()).toEqual([...keys].sort());
    for (const [name, shown] of params) {
      const value = defaults[name ?? ''];
      expect(shown, name).toBe(value === undefined ? '(the last bar)' : `\`${JSON.stringify(value)}\``);
    }
  });

  it('states the figures a real evaluation gives', () => {
    const source = bundledTickerSource();
    const table = doc.slice(doc.indexOf('| ticker | passed |'));
    for (const m of table.matchAll(
      /^\| (ORCL|NVDA|YHOO) \| (true|false) \| ([\d.]+) \| (\w+) \| ([\d.]+) \| ([\d.]+) \|$/gm,
    )) {
      const r = bullishBreakout.evaluate(
        source.load(m[1] ?? ''),
        bullishBreakoutSchema.parse({ as_of: '2014-07-15' }),
      );
      expect(
        [
          String(r.passed),
          String(r.score),
          r.classification,
          String(r.metrics['volume_multiple']),
          String(r.metrics['rsi']),
        ],
        m[1],
      ).toEqual(m.slice(2, 7));
    }
    expect([...table.matchAll(/^\| (ORCL|NVDA|YHOO) \|/gm)]).toHaveLength(3);
  });
});
