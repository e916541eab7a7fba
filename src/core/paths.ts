// Sandboxed folders: a path inside strategies/ or data/ must still be inside once its symlinks are
// resolved, so that a link cannot make the project read (or echo) a file from elsewhere.
import { realpathSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { TradeflowError } from './errors.ts';

/** Returns true when `path` lies strictly inside `dir` (both absolute, already resolved). */
export function isInside(dir: string, path: string): boolean {
  return (path + sep).startsWith(dir + sep) && path !== dir;
}

/** Returns the real path (symlinks resolved), or undefined when it does not exist. */
export function realPathOf(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** What `checkRealPathInside` names in its error. */
export interface SandboxOptions {
  /** The config path or command argument the path came from, e.g. `data[0].file`. */
  readonly where: string;
  /** How to show paths (relative to this folder); the project root. */
  readonly root: string;
}

/**
 * Throws `TF_ERR_PATH_OUTSIDE` when `path`, which names something inside `dir`, resolves (through a
 * symlink in it or in one of its folders) to a place outside the real `dir`. The link is refused before
 * anything is read from it. A path that does not exist passes: the caller reports it as missing.
 */
export function checkRealPathInside(dir: string, path: string, options: SandboxOptions): void {
  const real = realPathOf(path);
  if (real === undefined) return;
  const realDir = realPathOf(dir) ?? resolve(dir);
  if (isInside(realDir, real)) return;
  const shown = relative(options.root, path) || path;
  const folder = relative(options.root, dir) || dir;
  throw new TradeflowError(
    'TF_ERR_PATH_OUTSIDE',
    `${options.where}: ${shown} is a symlink (or lies under one) that points outside ${folder}/, to ${real}; ` +
      `copy the file into ${folder}/ instead of linking to it`,
  );
}
