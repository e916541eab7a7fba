// The pure parts of steering from the terminal: which key asks for what, and which style a run is watched in.
import { describe, expect, it } from 'vitest';
import { keyAction, keyActions } from './keys.ts';
import { watchStyle } from './run-watch.ts';

describe('the key map', () => {
  it('maps p, 1-9, q and Ctrl-C, and ignores other keys and escape sequences', () => {
    expect(keyActions('p1q\x039')).toEqual([
      { kind: 'toggle-engine' },
      { kind: 'toggle-strategy', index: 0 },
      { kind: 'quit', why: 'q' },
      { kind: 'quit', why: 'Ctrl-C' },
      { kind: 'toggle-strategy', index: 8 },
    ]);
    // Arrows, Home (`\x1b[1~`), F1 (`\x1bOP`), Alt-p, Enter, 0 and letters mean nothing here.
    expect(keyActions('\x1b[A\x1b[1~\x1bOP\x1bpx0\r \x1b')).toEqual([]);
    expect(keyAction('P')).toEqual({ kind: 'toggle-engine' });
    expect(keyAction('0')).toBeUndefined();
  });
});

describe('watchStyle', () => {
  it('shows the view on a terminal, plain lines elsewhere or with --no-view, nothing with --json or --quiet', () => {
    expect(watchStyle({}, true)).toBe('view');
    expect(watchStyle({ view: false }, true)).toBe('lines');
    expect(watchStyle({}, false)).toBe('lines');
    expect(watchStyle({ json: true }, true)).toBeUndefined();
    expect(watchStyle({ quiet: true }, false)).toBeUndefined();
  });
});
