// The keys of the terminal view: which key asks for what (a pure map), and how a request steers the engine.
import type { Engine } from '../../engine/kernel.ts';
import { safe } from './text.ts';

/** What a key asks for. */
export type KeyAction =
  | { readonly kind: 'toggle-engine' }
  /** `index` counts from 0: key `1` is the first strategy. */
  | { readonly kind: 'toggle-strategy'; readonly index: number }
  | { readonly kind: 'quit'; readonly why: 'q' | 'Ctrl-C' };

// Escape sequences (arrows, function keys, Home: `\x1b[1~`) carry digits and letters that are not keys.
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|O.|.)?/gs;

/** Returns the action of each key in a chunk of terminal input, in order; other keys are ignored. */
export function keyActions(chunk: string): KeyAction[] {
  const actions: KeyAction[] = [];
  for (const key of chunk.replace(ESCAPE_SEQUENCE, '')) {
    const action = keyAction(key);
    if (action) actions.push(action);
  }
  return actions;
}

/** Returns what one key asks for, or undefined for a key that means nothing here. */
export function keyAction(key: string): KeyAction | undefined {
  if (key === 'p' || key === 'P') return { kind: 'toggle-engine' };
  if (key === 'q' || key === 'Q') return { kind: 'quit', why: 'q' };
  // In raw mode Ctrl-C arrives as a byte, not as SIGINT: it stops the run as the signal would.
  if (key === '\x03') return { kind: 'quit', why: 'Ctrl-C' };
  if (key >= '1' && key <= '9') return { kind: 'toggle-strategy', index: Number(key) - 1 };
  return undefined;
}

/** What steering needs of the engine. */
export type Steerable = Pick<Engine, 'pause' | 'resume' | 'pauseStrategy' | 'resumeStrategy' | 'getMetrics'>;

/**
 * Applies a pause or resume to the engine or a strategy; returns the line that tells the user what
 * happened. A quit is the caller's: it stops the run.
 */
export function steer(engine: Steerable, action: Exclude<KeyAction, { kind: 'quit' }>): string {
  const metrics = engine.getMetrics();
  if (action.kind === 'toggle-engine') {
    if (metrics.system.enginePaused) {
      engine.resume();
      return 'resumed';
    }
    engine.pause();
    return 'paused: no new bars are stepped (p resumes)';
  }
  const key = action.index + 1;
  const st = metrics.strategies[action.index];
  if (!st) return `key ${key}: there is no strategy ${key}`;
  const name = safe(st.name);
  if (st.state === 'paused') {
    engine.resumeStrategy(st.name);
    return `strategy ${key} (${name}) resumed`;
  }
  if (st.state === 'running') {
    engine.pauseStrategy(st.name);
    return `strategy ${key} (${name}) paused: it gets no bars (${key} resumes)`;
  }
  return `strategy ${key} (${name}) is ${st.state}: it cannot be paused or resumed`;
}
