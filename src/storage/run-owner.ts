// Which process owns a running run, and whether that process is gone: what lets any command that opens the
// run database mark the runs of a killed process as interrupted, and never a run whose process still lives.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/*
 * A run row names its owner by pid, host name and the process's start time as the kernel counts it (field
 * 22 of /proc/<pid>/stat, clock ticks since boot). A pid alone is not enough: pids are reused, and a long
 * dead run could otherwise look owned by whatever process got its number. The start time is read from the
 * kernel, not from a clock, so another process reads the same value for the same pid and the pair (pid,
 * start) names one process for as long as the machine runs. A per-process random token would tell processes
 * apart too, but nothing outside the process could check it; the kernel's start time can be checked.
 *
 * Without /proc (macOS, Windows) the start time is null and only the pid is checked: a reused pid then
 * keeps a dead run `running` (never the reverse: a live run is never marked). A run owned by another host
 * cannot be checked from here and is left alone.
 */

/** The process that owns a run. */
export interface RunOwner {
  readonly pid: number;
  readonly host: string;
  /** The process's start in clock ticks since boot (from /proc), or null where the system does not say. */
  readonly start: string | null;
}

/** Reads a process's start ticks and state from /proc, or undefined when there is no such entry. */
function procStat(pid: number): { start: string; state: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: fields are counted after its ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const start = rest[19];
  if (state === undefined || start === undefined || !/^\d+$/.test(start)) return undefined;
  return { start, state };
}

let self: RunOwner | undefined;

/** Returns this process as a run owner (read once). */
export function currentOwner(): RunOwner {
  self ??= { pid: process.pid, host: hostname(), start: procStat(process.pid)?.start ?? null };
  return self;
}

/** Whether a process with this pid exists on this host (a zombie counts as gone). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Returns why the owner of a run is known to be gone, or undefined when it may still run (another host, an
 * owner not recorded, a pid that lives with a start time that matches or cannot be read). This process is
 * never gone.
 */
export function ownerGone(owner: RunOwner): string | undefined {
  const me = currentOwner();
  if (owner.host !== me.host || !Number.isInteger(owner.pid) || owner.pid <= 0) return undefined;
  const who = `process ${owner.pid} on ${owner.host}`;
  if (owner.pid === me.pid && (owner.start === null || owner.start === me.start)) return undefined;
  if (!pidAlive(owner.pid)) return `${who} is gone`;
  const stat = procStat(owner.pid);
  if (stat === undefined || owner.start === null) return undefined;
  if (stat.start !== owner.start) return `${who} is gone (the pid now belongs to another process)`;
  if (stat.state === 'Z') return `${who} has exited`;
  return undefined;
}
