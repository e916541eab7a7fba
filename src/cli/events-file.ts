// `--events <file.jsonl>`: the run's user events written as they happen, one JSON line per event.
import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { TradeflowError } from '../core/errors.ts';
import { RunEvents } from '../engine/run-events.ts';

/** Lines gathered beyond this many characters are written at once. */
const FLUSH_CHARS = 1 << 16;

/** An events file open for a run: the emitter to pass to it, and how to close the file after. */
export interface EventsFile {
  readonly events: RunEvents;
  readonly path: string;
  /** Returns the number of lines written so far. */
  readonly lines: () => number;
  close(): void;
}

/**
 * Opens (creates or empties) `file` and returns an emitter that writes each event to it as one JSON line.
 * Lines are written as soon as the run yields to the event loop, which a live run does after each step
 * (so a killed live run loses at most its current step's lines), and a backtest about every 100 ms; and
 * whenever 64 KiB of them have gathered. Fails with
 * TF_ERR_STORAGE, naming the path, when the file cannot be opened.
 */
export function openEventsFile(file: string): EventsFile {
  const path = resolve(file);
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw new TradeflowError(
      'TF_ERR_STORAGE',
      `--events ${path}: cannot open the file for writing (${(e as Error).message}); name a file in a folder that exists and is writable`,
      { cause: e },
    );
  }
  let lines = 0;
  let pending = '';
  let scheduled = false;
  const write = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    writeSync(fd, pending);
    pending = '';
  };
  const events = new RunEvents();
  events.onAny((e) => {
    pending += JSON.stringify(e) + '\n';
    lines++;
    // Written when the synchronous run of steps in hand yields (a live run does after every step), or
    // sooner when many lines gather: a write per line would cost about as much as the line itself.
    if (pending.length >= FLUSH_CHARS) write();
    else if (!scheduled) {
      scheduled = true;
      queueMicrotask(write);
    }
  });
  let open = true;
  return {
    events,
    path,
    lines: () => lines,
    close: () => {
      if (!open) return;
      write();
      closeSync(fd);
      open = false;
    },
  };
}
