// Time limits for strategy code on the engine's own thread: a synchronous call that runs past its limit is
// interrupted by V8 (through `vm`'s timeout), and a promise that does not settle in time is given up on.
import vm from 'node:vm';
import { delay, monotonicMs } from '../../core/clock.ts';

/**
 * A `vm` script that calls the function it is handed: running it with `timeout` lets V8 end the call, even
 * an endless loop in a module that was imported normally, once the time is up. The interruption cannot be
 * caught by the code it ends (no `catch` or `finally` of the strategy runs). Each guarded run costs about
 * 40-120 us (Node starts a watchdog per run), so the engine guards a slice of steps, never a single bar.
 */
const context = vm.createContext({ call: undefined as (() => unknown) | undefined, out: undefined });
const script = new vm.Script('out = call(); call = undefined;', { filename: 'tradeflow-watchdog' });

/** A guarded run that V8 ended because it passed its time limit. */
export class TimeLimitExceeded extends Error {
  override readonly name = 'TimeLimitExceeded';
  constructor(readonly limitMs: number) {
    super(`did not return within ${limitMs} ms`);
  }
}

/** Returns true for the error `vm` throws when a guarded run passed its timeout. */
function isVmTimeout(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

/** How many guarded runs are on the stack: a run inside another is bounded by the outer one. */
let depth = 0;

/** Returns true while a guarded run is on the stack (its limit bounds whatever runs now). */
export function guarded(): boolean {
  return depth > 0;
}

/**
 * Runs `fn` and returns what it returns; when its synchronous work passes `limitMs`, V8 ends it and this
 * throws TimeLimitExceeded. Inside another guarded run, `fn` is called directly (the outer limit holds).
 */
export function runWithin<T>(fn: () => T, limitMs: number): T {
  if (depth > 0 || !Number.isFinite(limitMs)) return fn();
  depth++;
  context.call = fn;
  try {
    script.runInContext(context, { timeout: Math.max(1, Math.ceil(limitMs)) });
    const out = context.out as T;
    context.out = undefined;
    return out;
  } catch (e) {
    context.call = undefined;
    context.out = undefined;
    if (isVmTimeout(e)) throw new TimeLimitExceeded(limitMs);
    throw e;
  } finally {
    depth--;
  }
}

/** Returns true for a value that has a `then` method (what `await` would wait for). */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Calls `fn` (a hook that may return a promise) with `limitMs` for all of it: its synchronous part is
 * interrupted at the limit (see `runWithin`), and a promise it returns that has not settled by then is
 * given up on (it cannot be stopped: whatever it still does is ignored). Rejects with TimeLimitExceeded.
 */
export async function settleWithin<T>(fn: () => T | Promise<T>, limitMs: number): Promise<T> {
  const t0 = monotonicMs();
  const returned = runWithin(fn, limitMs);
  if (!isThenable(returned)) return returned;
  if (!Number.isFinite(limitMs)) return await returned;
  const timer = delay(Math.max(0, limitMs - (monotonicMs() - t0)));
  const late = Symbol('late');
  try {
    const settled = await Promise.race([returned, timer.promise.then(() => late)]);
    if (settled === late) throw new TimeLimitExceeded(limitMs);
    return settled as T;
  } finally {
    timer.cancel();
  }
}
