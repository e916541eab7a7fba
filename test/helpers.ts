import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseSessionConfig, type LoadedSession } from '../src/config/session-config.ts';
import { type BacktestOutcome, runBacktestWithResult } from '../src/report/backtest-outcome.ts';
import { MemoryLogger } from '../src/core/logger.ts';

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
