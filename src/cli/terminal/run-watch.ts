// Watching a running session from the CLI: the terminal view redrawn about once a second with its keys,
// or plain log lines when stdout is not a terminal. Streams, timer and exit hook are passed in, so tests
// drive it with fake ones.
import { every as everyWallMs } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Engine } from '../../engine/kernel.ts';
import { sessionSnapshot } from '../../engine/session-snapshot.ts';
import { keyActions, steer } from './keys.ts';
import { fillLine, statusLine } from './plain-lines.ts';
import { renderView } from './render.ts';
import { fit, safe } from './text.ts';

/** How a run is watched: the redrawn `view` (stdout is a terminal) or plain `lines`. */
export type WatchStyle = 'view' | 'lines';

/** Picks the style: none with `--json` or `--quiet`, the view on a terminal unless `--no-view`, else lines. */
export function watchStyle(
  o: { readonly json?: boolean; readonly quiet?: boolean; readonly view?: boolean },
  stdoutIsTty: boolean,
): WatchStyle | undefined {
  if (o.json || o.quiet) return undefined;
  return stdoutIsTty && o.view !== false ? 'view' : 'lines';
}

/** Where the view is drawn (stdout): `columns` is read at each redraw, so a resized terminal is followed. */
export interface WatchOutput {
  write(text: string): unknown;
  readonly columns?: number;
}

/** Where keys come from (stdin): read in raw mode, and only when it is a terminal. */
export interface KeyInput {
  readonly isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  removeListener(event: 'data', listener: (chunk: string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Options of `createRunWatch`. */
export interface RunWatchOptions {
  readonly style: WatchStyle;
  readonly output: WatchOutput;
  readonly input?: KeyInput;
  /** Where the run's messages go; while the view is open they are held (the last few shown) and written when it closes. */
  readonly logger: Logger;
  /** Calls a function every `ms` until cancelled (default: wall-clock `every` of core/clock.ts). */
  readonly every?: (ms: number, fn: () => void) => { cancel(): void };
  /** Redraws (and, in lines, looks for new fills) this often (default 1000 ms). */
  readonly refreshMs?: number;
  /** Redraws between two status lines (default 10: about every 10 s). */
  readonly statusEvery?: number;
  /** Registers a last-moment restore of the terminal at process exit; returns its removal (default: process 'exit'). */
  readonly onProcessExit?: (fn: () => void) => () => void;
}

/** What a watched run is told besides its engine. */
export interface AttachOptions {
  readonly name: string;
  /** Stops the run as Ctrl-C does (`q`, or Ctrl-C read as a key in raw mode). */
  readonly onQuit: (why: string) => void;
  /** The run's stop signal: when it fires, the view closes at once and leaves the terminal as it was. */
  readonly abort?: AbortSignal;
}

/** A watch over one run: `attach` it to the engine before the run starts, `close` it once the run ends. */
export interface RunWatch {
  readonly style: WatchStyle;
  /** The logger to give the run: messages pass through, or are held while the view is open. */
  readonly logger: Logger;
  attach(engine: Engine, o: AttachOptions): void;
  /** Stops redrawing and reading keys and restores the terminal; idempotent. */
  close(): void;
}

// Alternate screen and hidden cursor while the view is open; home, clear to the end of line and of screen per frame.
const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';
const NOTES_SHOWN = 3;

type Level = 'debug' | 'info' | 'warn' | 'error';
type Held = { level: Level; msg: string; fields?: Readonly<Record<string, unknown>> };

const onProcessExit = (fn: () => void) => {
  process.once('exit', fn);
  return () => void process.removeListener('exit', fn);
};

/**
 * Returns the watch of a CLI run on the process's stdout and stdin, in the style `watchStyle` picks, or
 * undefined when the run is not watched (`--json`, `--quiet`).
 */
export function processRunWatch(
  o: { readonly json?: boolean; readonly quiet?: boolean; readonly view?: boolean },
  logger: Logger,
): RunWatch | undefined {
  const style = watchStyle(o, process.stdout.isTTY === true);
  if (style === undefined) return undefined;
  return createRunWatch({ style, output: process.stdout, input: process.stdin, logger });
}

/** Creates the watch of a run in the given style. */
export function createRunWatch(o: RunWatchOptions): RunWatch {
  const held: Held[] = [];
  let open = false;
  let closed = false;
  let stopAll = () => {};
  const pass = (level: Level) => (msg: string, fields?: Readonly<Record<string, unknown>>) => {
    if (open) held.push(fields === undefined ? { level, msg } : { level, msg, fields });
    else o.logger[level](msg, fields);
  };
  const logger: Logger = {
    debug: pass('debug'),
    info: pass('info'),
    warn: pass('warn'),
    error: pass('error'),
  };

  const close = () => {
    if (closed) return;
    closed = true;
    stopAll();
    open = false;
    for (const h of held.splice(0)) o.logger[h.level](h.msg, h.fields);
  };

  const attach = (engine: Engine, a: AttachOptions) => {
    if (closed) return;
    const every = o.every ?? everyWallMs;
    const refreshMs = o.refreshMs ?? 1000;
    if (o.style === 'lines') {
      const several = engine.accounts.all.length > 1;
      let printed = 0;
      let ticks = 0;
      const printFills = () => {
        const fills = engine.recorder.fills;
        for (; printed < fills.length; printed++) o.output.write(fillLine(fills[printed]!, several) + '\n');
      };
      const timer = every(refreshMs, () => {
        printFills();
        if (++ticks % (o.statusEvery ?? 10) === 0) o.output.write(statusLine(sessionSnapshot(engine)) + '\n');
      });
      stopAll = () => {
        timer.cancel();
        // The fills of the last second, and where the run ended (a blank line before the summary).
        printFills();
        o.output.write(statusLine(sessionSnapshot(engine)) + '\n\n');
      };
      return;
    }
    const input = o.input?.isTTY && o.input.setRawMode ? o.input : undefined;
    let message: string | undefined;
    const draw = () => {
      // A terminal that does not say its size (0) gets 80 columns.
      const width = o.output.columns || 80;
      const notes = held
        .filter((h) => h.level === 'warn' || h.level === 'error')
        .slice(-NOTES_SHOWN)
        .map((h) => fit(`${h.level}: ${safe(h.msg)}`, width));
      const lines = renderView(sessionSnapshot(engine), {
        name: a.name,
        width,
        keys: input !== undefined,
        ...(message === undefined ? {} : { message }),
      });
      const body = notes.length > 0 ? [...lines, '', ...notes] : lines;
      o.output.write('\x1b[H' + body.map((l) => l + '\x1b[K').join('\n') + '\x1b[J');
    };
    const onData = (chunk: string) => {
      const actions = keyActions(chunk);
      if (actions.length === 0) return;
      for (const action of actions) {
        if (action.kind === 'quit') {
          message = 'stopping the run; its results so far are kept';
          a.onQuit(action.why);
          // A paused run's loop waits for a resume before it looks at the stop: it resumes to stop.
          // (Without a stop signal to listen to, the quit itself resumes it.)
          if (engine.getMetrics().system.enginePaused) engine.resume();
          if (closed) return;
        } else {
          message = steer(engine, action);
        }
      }
      draw();
    };
    // Restores the terminal: raw mode off and the cursor back, on every way out (also at process exit).
    let restored = false;
    const restore = () => {
      if (restored) return;
      restored = true;
      input?.setRawMode?.(false);
      o.output.write(LEAVE);
    };
    const removeExitHook = (o.onProcessExit ?? onProcessExit)(restore);
    o.output.write(ENTER);
    open = true;
    if (input) {
      input.setEncoding('utf8');
      input.setRawMode?.(true);
      input.on('data', onData);
      input.resume();
    }
    // However the run is told to stop (q, a signal), the view closes; a paused engine resumes by itself to stop.
    const onAbort = () => close();
    a.abort?.addEventListener('abort', onAbort, { once: true });
    draw();
    const timer = every(refreshMs, draw);
    stopAll = () => {
      timer.cancel();
      a.abort?.removeEventListener('abort', onAbort);
      if (input) {
        input.removeListener('data', onData);
        input.pause();
      }
      restore();
      removeExitHook();
    };
    // A run stopped before it was watched (Ctrl-C while loading) shows no view.
    if (a.abort?.aborted) close();
  };

  return { style: o.style, logger, attach, close };
}
