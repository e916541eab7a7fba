// Keeps docs/events.md true: runs its program and its command line, and checks its figures, its first
// fill line, its table of kinds and the error for a path that cannot be opened.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUN_EVENT_KINDS } from '../src/engine/run-events.ts';
import { runCli } from '../test/helpers.ts';

const ROOT = resolve(import.meta.dirname, '..');
const doc = readFileSync(join(ROOT, 'docs', 'events.md'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'tradeflow-events-doc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function blocks(lang: string): string[] {
  return [...doc.matchAll(/^```(\w*)[^\n]*\n([\s\S]*?)^```\s*$/gm)]
    .filter((m) => m[1] === lang)
    .map((m) => m[2] ?? '');
}

/** Returns the captures of `re` in the doc's text with line breaks folded; fails when absent. */
function figure(re: RegExp): string[] {
  const m = re.exec(doc.replace(/\s+/g, ' '));
  expect(m, `the doc states ${String(re)}`).not.toBeNull();
  return (m ?? []).slice(1);
}

/** Runs a TypeScript file with node and tsx from the project folder; resolves with its output. */
function runScript(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('events.md', () => {
  it('lists every kind of event in its table', () => {
    const kinds = [...doc.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(kinds).toEqual([...RUN_EVENT_KINDS]);
  });

  it('runs the program as a user would (importing tradeflow/engine) and prints what the page says', async () => {
    const project = join(tmp, 'program');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(project, 'node_modules', 'tradeflow'), 'dir');
    writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
    const [source] = blocks('ts');
    writeFileSync(join(project, 'example.ts'), source ?? '');
    const { code, stdout, stderr } = await runScript(join(project, 'example.ts'));
    const [printed] = figure(/it prints \*\*(.+?)\*\*/);
    expect({ code, stderr, stdout }).toEqual({ code: 0, stderr: '', stdout: `${printed}\n` });
  });

  it('runs the command line and writes the lines the page says', async () => {
    const [sh] = blocks('sh');
    const [command = ''] = (sh ?? '').split('\n');
    const file = join(tmp, 'orcl-events.jsonl');
    const args = command
      .replace(/^npx tradeflow /, '')
      .replace('out/orcl-events.jsonl', file)
      .replace('--out out/orcl', `--out ${join(tmp, 'orcl')}`)
      .split(' ');
    expect(args).toContain(file);
    const run = await runCli(args);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const kinds = lines.map((l) => (JSON.parse(l) as { kind: string }).kind);
    const [fills, trades] = figure(/\*\*(\d+) fill lines\*\* and \*\*(\d+) trade lines\*\*/);
    expect(kinds.filter((k) => k === 'fill')).toHaveLength(Number(fills));
    expect(kinds.filter((k) => k === 'trade')).toHaveLength(Number(trades));
    const result = JSON.parse(readFileSync(join(tmp, 'orcl', 'result.json'), 'utf8')) as {
      trades: unknown[];
    };
    expect(result.trades).toHaveLength(Number(trades));
    expect(lines.find((l) => l.startsWith('{"kind":"fill"'))).toBe(blocks('json')[0]?.trim());
  });

  it('stops before the run, naming the path, when the file cannot be opened', async () => {
    const bad = join(tmp, 'no-such-folder', 'events.jsonl');
    const run = await runCli([
      'backtest',
      'config/examples/orcl-sma-cross.json',
      '--no-db',
      '--out',
      join(tmp, 'bad'),
      '--events',
      bad,
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`TF_ERR_STORAGE`);
    expect(run.stderr).toContain(`--events ${bad}: cannot open the file for writing (ENOENT`);
  });
});
