import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { currentOwner, ownerGone } from './run-owner.ts';

const hasProc = existsSync('/proc/self/stat');

/** Starts a process that lives until killed; returns its pid and a way to end it and wait for its exit. */
function sleeper(): { pid: number; end(): Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  return {
    pid: child.pid!,
    end: () =>
      new Promise((done) => {
        child.once('exit', () => done());
        child.kill('SIGKILL');
      }),
  };
}

describe('run owners', () => {
  it('names this process by pid, host and (with /proc) its start ticks', () => {
    const me = currentOwner();
    expect(me.pid).toBe(process.pid);
    expect(me.host.length).toBeGreaterThan(0);
    if (hasProc) expect(me.start).toMatch(/^\d+$/);
    expect(ownerGone(me)).toBeUndefined();
  });

  it('says a process that ended is gone, and never one that lives', async () => {
    const other = sleeper();
    const owner = { pid: other.pid, host: currentOwner().host, start: null };
    expect(ownerGone(owner)).toBeUndefined();
    await other.end();
    expect(ownerGone(owner)).toBe(`process ${other.pid} on ${owner.host} is gone`);
  });

  it.runIf(hasProc)('tells a reused pid apart by its start ticks', async () => {
    const other = sleeper();
    try {
      const host = currentOwner().host;
      expect(ownerGone({ pid: other.pid, host, start: '1' })).toMatch(/now belongs to another process/);
      // This very pid with another start time: an earlier process that had it, long gone.
      expect(ownerGone({ pid: process.pid, host, start: '1' })).toMatch(/now belongs to another process/);
    } finally {
      await other.end();
    }
  });

  it('leaves the runs of another host alone, and owners it cannot read', () => {
    expect(
      ownerGone({ pid: 2 ** 22 + 7, host: `${currentOwner().host}-elsewhere`, start: null }),
    ).toBeUndefined();
    expect(ownerGone({ pid: 0, host: currentOwner().host, start: null })).toBeUndefined();
  });
});
