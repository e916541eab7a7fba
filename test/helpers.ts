// Helpers shared by tests: sessions rooted at the project, a backtest without a store, temp files, the
// real CLI as a child process, and results stripped of wall times.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { parseSessionConfig, type LoadedSession } from '../src/config/session-config.ts';
import { type BacktestOutcome, runBacktestWithResult } from '../src/report/backtest-outcome.ts';
import { MemoryLogger } from '../src/core/logger.ts';
import type { BacktestResult } from '../src/report/result.ts';

/** The project root, where strategies/, data/ and config/ live. */
export const ROOT = resolve(import.meta.dirname, '..');

/** Builds a loaded session from a config object, with the project root as its root. */
export function session(config: unknown, name = 'test'): LoadedSession {
  return { config: parseSessionConfig(config, name), name, file: join(ROOT, `${name}.json`), root: ROOT };
}

/** Runs a backtest of a config object without a store; returns the outcome and the log. */
export async function backtest(
  config: unknown,
  name = 'test',
): Promise<BacktestOutcome & { log: MemoryLogger }> {
  const log = new MemoryLogger();
  const outcome = await runBacktestWithResult({
    session: session(config, name),
    runId: `${name}-run`,
    startedAt: 0,
    logger: log,
  });
  return { ...outcome, log };
}

/** Makes a temporary folder and writes files into it. */
export function tempFiles(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tradeflow-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A strategy entry's processing times in a result: any number, as they differ from run to run. */
export const ANY_TIMES = {
  avg_ms: expect.any(Number) as number,
  p99_ms: expect.any(Number) as number,
  max_ms: expect.any(Number) as number,
};

/**
 * The parts of a result that a rerun of the same session must reproduce: everything but the run id and
 * each strategy's figures that depend on wall time (its processing times, its backpressure events, which
 * count steps that waited too long for it, and its placement, which names the cost the `auto` warm-up
 * measured).
 */
export function wallTimeFree(result: BacktestResult) {
  const { run_id: _runId, strategies, ...rest } = result;
  return {
    ...rest,
    strategies: strategies.map(
      ({ avg_ms: _avg, p99_ms: _p99, max_ms: _max, backpressure_events: _events, placement: _p, ...s }) => s,
    ),
  };
}

/** How a run of the real CLI ended: its exit code and what it printed. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI (bin/tradeflow.mjs) with `args` in the project root, as a child process. */
export function runCli(args: readonly string[]): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['bin/tradeflow.mjs', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
