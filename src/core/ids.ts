// Run ids: readable, sortable by start time, unique within a process.

let counter = 0;

/** Returns a run id such as `orcl-sma-cross-20261121-061502-1`: readable, sortable by start time, unique in a process. */
export function newRunId(name: string, nowMs: number): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'run';
  const t = new Date(nowMs).toISOString(); // formats the given time; reads no clock
  const stamp = `${t.slice(0, 10).replace(/-/g, '')}-${t.slice(11, 19).replace(/:/g, '')}${t.slice(20, 23)}`;
  counter += 1;
  return `${slug}-${stamp}-${counter}`;
}
