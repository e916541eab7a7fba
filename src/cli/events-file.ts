// `--events <file.jsonl>`: the run's user events written as they happen, one JSON line per event.
import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { TradeflowError } from '../core/errors.ts';
import { RunEvents } from '../engine/run-events.ts';

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
 * Each line is written when its event happens, so a run killed mid-way loses none it emitted. Fails with
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
  const events = new RunEvents();
  events.onAny((e) => {
    writeSync(fd, JSON.stringify(e) + '\n');
    lines++;
  });
  let open = true;
  return {
    events,
    path,
    lines: () => lines,
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
