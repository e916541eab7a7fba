/*
 * Formatting for reports. Every formatter pins the 'en-US' locale, so a report reads the same on every
 * machine, and handles the non-finite values stats can hold (a profit factor of Infinity).
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Returns `text` safe to put in HTML text or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

// 'negative': a value that rounds to zero shows as 0.00, not -0.00.
const fixed = (min: number, max: number) =>
  new Intl.NumberFormat('en-US', {
    minimumFractionDigits: min,
    maximumFractionDigits: max,
    signDisplay: 'negative',
  });
const money = fixed(2, 2);
const price = fixed(2, 4);
const smallPrice = fixed(2, 8);
const quantity = fixed(0, 8);
const ratio = fixed(2, 2);

function finite(value: number, format: (v: number) => string): string {
  if (Number.isNaN(value)) return '–';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '-∞';
  return format(value);
}

/** Formats an amount of money with two decimals and thousands separators: `-1,234.50`. */
export function formatMoney(value: number): string {
  return finite(value, (v) => money.format(v));
}

/** Formats a price with two to four decimals, or up to eight below 1: `101.2575`, `0.000123`. */
export function formatPrice(value: number): string {
  return finite(value, (v) => (Math.abs(v) < 1 ? smallPrice : price).format(v));
}

/** Formats a quantity with up to eight decimals: `1,500`, `0.125`. */
export function formatQuantity(value: number): string {
  return finite(value, (v) => quantity.format(v));
}

/** Formats a fraction as a percentage with two decimals: 0.1234 -> `12.34%`. */
export function formatPercent(fraction: number): string {
  return finite(fraction, (v) => `${ratio.format(v * 100)}%`);
}

/** Formats a ratio (Sharpe, profit factor) with two decimals. */
export function formatRatio(value: number): string {
  return finite(value, (v) => ratio.format(v));
}

/** Formats epoch ms as ISO 8601 UTC, leaving out zero seconds and milliseconds: `2024-01-02T14:30Z`; `–` for null. */
export function formatTs(ts: number | null): string {
  if (ts === null || !Number.isFinite(ts)) return '–';
  return new Date(ts).toISOString().replace(/(:00)?\.000Z$/, 'Z');
}
