/** One measured figure, with the target it is held to. Benchmarks print; they never fail a build. */
export interface Figure {
  readonly key: string;
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: number;
  /** Whether a larger value is better (throughput) or a smaller one (latency, size). */
  readonly better: 'higher' | 'lower';
}

/** Returns how far a figure is from its target: >= 1 meets it. */
export function ratio(f: Figure): number | undefined {
  if (f.target === undefined) return undefined;
  return f.better === 'higher' ? f.value / f.target : f.target / f.value;
}

/** Returns the median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (x: number) =>
  Math.abs(x) >= 1000
    ? Math.round(x).toLocaleString('en-US')
    : Math.abs(x) >= 10
      ? x.toFixed(1)
      : x.toFixed(3);

/** Renders figures as an aligned table with each one's ratio to its target. */
export function table(figures: readonly Figure[]): string {
  const rows = figures.map((f) => {
    const r = ratio(f);
    const target = f.target === undefined ? '' : `${f.better === 'higher' ? '>=' : '<='} ${fmt(f.target)}`;
    return [
      f.label,
      `${fmt(f.value)} ${f.unit}`,
      target,
      r === undefined ? '' : `${r.toFixed(2)}x${r >= 1 ? '' : '  (below target)'}`,
    ];
  });
  const head = ['figure', 'value', 'target', 'ratio to target'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(w[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}
