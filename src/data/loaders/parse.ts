/**
 * Field parsers that work on a slice [start, end) of the whole file text, so a row costs no substring or
 * array allocation on the common path. Each returns a sentinel (NaN or -1) instead of throwing: the row
 * reader decides whether that is an error or a skip.
 */

const CH_0 = 48;
const CH_9 = 57;
const CH_DOT = 46;
const CH_MINUS = 45;
const CH_PLUS = 43;
const CH_DASH = 45;
const CH_COLON = 58;
const CH_E = 101;
const CH_UPPER_E = 69;

// Exact powers of ten: every one up to 1e22 is a double without rounding.
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Digits that fit a double exactly (10^15 < 2^53), so mantissa / 10^k is correctly rounded like Number(). */
const MAX_EXACT_DIGITS = 15;

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/**
 * Returns the decimal number written in text[start, end), or NaN when it is empty, not a number, or not
 * finite. Plain decimals take a fast path whose result equals Number()'s bit for bit; anything else
 * (exponents, long mantissas) falls back to Number() on the slice.
 */
export function parseNumber(text: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  const first = text.charCodeAt(i);
  if (first === CH_MINUS || first === CH_PLUS) {
    negative = first === CH_MINUS;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      mantissa = mantissa * 10 + (c - CH_0);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === CH_DOT && decimals < 0) {
      decimals = 0;
    } else {
      return slowNumber(text, start, end);
    }
  }
  if (digits === 0) return NaN;
  if (digits > MAX_EXACT_DIGITS) return slowNumber(text, start, end);
  const value = decimals > 0 ? mantissa / (POW10[decimals] as number) : mantissa;
  return negative ? -value : value;
}

function slowNumber(text: string, start: number, end: number): number {
  // Number() accepts '', ' ', '0x1f' and 'Infinity'; a price field must be a finite decimal.
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(isDigit(c) || c === CH_DOT || c === CH_MINUS || c === CH_PLUS || c === CH_E || c === CH_UPPER_E)) return NaN;
  }
  if (end === start) return NaN;
  const value = Number(text.slice(start, end));
  return Number.isFinite(value) ? value : NaN;
}

function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i);
  const b = text.charCodeAt(i + 1);
  return isDigit(a) && isDigit(b) ? (a - CH_0) * 10 + (b - CH_0) : -1;
}

/** Returns the days in a month of the proleptic Gregorian calendar (month 1-12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Returns YYYY-MM-DD at text[start] as the integer yyyymmdd, or -1 when it is not a real calendar date. */
export function parseDate(text: string, start: number): number {
  const y1 = twoDigits(text, start);
  const y2 = twoDigits(text, start + 2);
  const month = twoDigits(text, start + 5);
  const day = twoDigits(text, start + 8);
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1) return -1;
  if (text.charCodeAt(start + 4) !== CH_DASH || text.charCodeAt(start + 7) !== CH_DASH) return -1;
  const year = y1 * 100 + y2;
  if (day > daysInMonth(year, month)) return -1;
  return year * 10000 + month * 100 + day;
}

/** Returns HH:MM:SS (or HH:MM) in text[start, end) as seconds of the day, or -1 when it is not a time. */
export function parseTime(text: string, start: number, end: number): number {
  const length = end - start;
  if (length !== 8 && length !== 5) return -1;
  const hour = twoDigits(text, start);
  const minute = twoDigits(text, start + 3);
  const second = length === 8 ? twoDigits(text, start + 6) : 0;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  if (text.charCodeAt(start + 2) !== CH_COLON) return -1;
  if (length === 8 && text.charCodeAt(start + 5) !== CH_COLON) return -1;
  return hour * 3600 + minute * 60 + second;
}
