// Fake terminal streams and a hand-turned timer, for driving the watch of a run in tests.
import { PassThrough } from 'node:stream';
import type { KeyInput } from './run-watch.ts';

/** A terminal's stdin: keys written to it arrive as `data`; raw mode switches are recorded. */
export function fakeTty(isTTY = true) {
  const stream = new PassThrough();
  const raw: boolean[] = [];
  const input = Object.assign(stream, {
    isTTY,
    setRawMode: (mode: boolean) => {
      raw.push(mode);
      return stream;
    },
  });
  return { input: input as KeyInput & PassThrough, raw };
}

/** A terminal's stdout: everything written, and its width. */
export function fakeScreen(columns = 100) {
  const writes: string[] = [];
  return { output: { columns, write: (text: string) => writes.push(text) }, writes };
}

/** A timer turned by hand. */
export function handTimer() {
  const fns = new Set<() => void>();
  return {
    every: (_ms: number, fn: () => void) => {
      fns.add(fn);
      return { cancel: () => fns.delete(fn) };
    },
    tick: () => fns.forEach((fn) => fn()),
    get running() {
      return fns.size;
    },
  };
}

/** Lets the stream deliver what was written to it. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
