// Text pieces shared by the terminal view and the plain log lines: times, money, and tables that fit a width.
import { escapeText } from '../../core/escape.ts';

/** Formats epoch ms as `YYYY-MM-DD HH:MM:SS` (UTC), or `-` before the first bar. */
export function barTime(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

// Made once: `toLocaleString` builds a formatter per call, about a millisecond each, at every redraw.
const MONEY = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const COUNT = new Intl.NumberFormat('en-US');

/** Formats an amount with thousands separators and two decimals. */
export function money(x: number): string {
  return Number.isFinite(x) ? MONEY.format(x) : 'n/a';
}

/** Formats a count with thousands separators. */
export function count(x: number): string {
  return COUNT.format(x);
}

/** Formats a price: up to six significant decimals, no separators (prices are compared, not summed). */
export function price(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toFixed(6))) : 'n/a';
}

/** Returns text from a config or a strategy made safe to print: no control bytes reach the terminal. */
export function safe(text: string): string {
  return escapeText(text);
}

/** Cuts a line to `width` characters, marking the cut with `~`. */
export function fit(line: string, width: number): string {
  return line.length <= width ? line : line.slice(0, Math.max(0, width - 1)) + '~';
}

/** A table column: its heading, how it aligns, and which columns go first when the width is short. */
export interface Column {
  readonly head: string;
  readonly right?: boolean;
  /** Lower goes first when the table is wider than the width; columns without one are always kept. */
  readonly drop?: number;
}

/**
 * Lays out a table two spaces from the margin, columns two spaces apart. When it is wider than `width`,
 * the columns with the lowest `drop` are left out until it fits (or none is left to drop); lines that are
 * still too wide are cut.
 */
export function table(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  width: number,
): string[] {
  let keep = columns.map((_, i) => i);
  const widths = columns.map((c, i) => Math.max(c.head.length, ...rows.map((r) => (r[i] ?? '').length)));
  const total = (idx: readonly number[]) =>
    2 + idx.reduce((s, i) => s + widths[i]!, 0) + 2 * (idx.length - 1);
  const droppable = columns
    .map((c, i) => ({ i, drop: c.drop }))
    .filter((c): c is { i: number; drop: number } => c.drop !== undefined)
    .sort((a, b) => a.drop - b.drop);
  for (const { i } of droppable) {
    if (total(keep) <= width) break;
    keep = keep.filter((k) => k !== i);
  }
  const line = (cells: readonly string[]) =>
    fit(
      '  ' +
        keep
          .map((i) => {
            const cell = cells[i] ?? '';
            return columns[i]!.right ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
          })
          .join('  ')
          .trimEnd(),
      width,
    );
  return [line(columns.map((c) => c.head)), ...rows.map(line)];
}
