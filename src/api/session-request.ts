// Checks a session request (POST /api/sessions) before anything runs: its config, inline or from a session
// file under the project, checked as a backtest's is, and how its bars arrive (a replay's pace, a feed).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { z } from 'zod';
import type { LoadedSession, SessionConfig } from '../config/session-config.ts';
import { isTradeflowError } from '../core/errors.ts';
import { checkRealPathInside, isInside } from '../core/paths.ts';
import { checkBacktestConfig, type RequestLimits } from './backtest-request.ts';
import { type FieldProblem, InvalidRequestError } from './errors.ts';
import type { SessionRequestSchema } from './schemas.ts';

/** A session request as the schema reads it. */
export type SessionRequest = z.output<typeof SessionRequestSchema>;

/** A checked session request: the session to run and how its bars arrive. */
export interface SessionStart {
  readonly session: LoadedSession;
  readonly mode: 'live' | 'replay';
  readonly speed?: number;
  readonly feed?: string;
  /** What the run's row keeps: the request's mode, pace and feed, and the session config. */
  readonly parameters: {
    readonly mode: 'live' | 'replay';
    readonly speed: number | null;
    readonly feed: string | null;
    readonly config: SessionConfig;
  };
}

const bad = (path: string, message: string) => new InvalidRequestError([{ path, message }]);

/** Reads a session file named by a request: a JSON file under the project root, symlinks included. */
function readSessionFile(name: string, root: string): Record<string, unknown> {
  const file = resolve(root, name);
  if (!isInside(resolve(root), file)) {
    throw bad(
      'session',
      `"${name}" is outside the project; name a session file under it (config/examples/...)`,
    );
  }
  try {
    checkRealPathInside(root, file, { where: 'session', root });
  } catch (e) {
    if (isTradeflowError(e, 'TF_ERR_PATH_OUTSIDE')) throw bad('session', e.message.replace('session: ', ''));
    throw e;
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw bad('session', `no file ${relative(root, file)} on the server`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw bad('session', `${relative(root, file)} is not valid JSON (${(e as Error).message.slice(0, 200)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw bad('session', `${relative(root, file)} holds no session config object`);
  }
  return raw as Record<string, unknown>;
}

/**
 * Validates a session request and returns the session to run, under the rules of a backtest request (see
 * checkBacktestConfig: data under data/, strategies from the registry or strategies/, the server's
 * limits). A replay's pace is `speed`, else the config's `speed_multiplier`; a replay needs one. A live
 * session needs a feed (`feed`, or the config's `live.feed`). Throws a 400 naming every bad field.
 */
export async function checkSessionRequest(
  body: SessionRequest,
  root: string,
  limits: RequestLimits,
  checkStrategies: (config: SessionConfig) => Promise<FieldProblem[]>,
): Promise<SessionStart> {
  const raw = body.config ?? readSessionFile(body.session ?? '', root);
  // The pace is the request's; the config is checked as a data-driven session, which it is besides.
  const configSpeed = raw['speed_multiplier'];
  const ownSpeed = typeof configSpeed === 'number' && configSpeed > 0 ? configSpeed : undefined;
  const { speed_multiplier: _, ...rest } = raw;
  const session = await checkBacktestConfig(
    ownSpeed === undefined ? raw : rest,
    root,
    limits,
    checkStrategies,
  );
  const speed = body.speed ?? ownSpeed;
  if (body.mode === 'replay' && speed === undefined) {
    throw bad(
      'speed',
      'a replay needs a pace: bar time runs "speed" times as fast as wall time (60: a minute a second)',
    );
  }
  if (body.mode === 'live' && body.feed === undefined && session.config.live === undefined) {
    throw bad(
      'feed',
      'a live session needs a feed: "ws://host:port/path", "replay" or "binance" (or "live.feed" in its config)',
    );
  }
  return {
    session,
    mode: body.mode,
    ...(speed === undefined ? {} : { speed }),
    ...(body.feed === undefined ? {} : { feed: body.feed }),
    parameters: { mode: body.mode, speed: speed ?? null, feed: body.feed ?? null, config: session.config },
  };
}
