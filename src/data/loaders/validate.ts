// The rules a bar row must pass, and the message that names a broken one with its file and line.
import { escapeText } from '../../core/escape.ts';
import { MAX_MAGNITUDE } from '../../model/bar.ts';
import type { RowLayout } from './formats.ts';
import { parseNumber } from './parse.ts';

/** Why a row was refused, in the order the checks run. */
export const ROW_PROBLEMS = [
  'field-count',
  'bad-date',
  'date-out-of-range',
  'bad-time',
  'bad-number',
  'non-positive-price',
  'value-too-large',
  'high-below-low',
  'open-outside-range',
  'close-outside-range',
  'negative-volume',
  'duplicate-timestamp',
  'out-of-order',
] as const;

/** A kind of bad row, the key of LoadReport.problems. */
export type RowProblem = (typeof ROW_PROBLEMS)[number];

/** The first and last local dates a bar may carry (yyyymmdd), and the same as text for messages. */
export const FIRST_DATE = 19000101;
export const LAST_DATE = 21001231;
/** The same dates as text, for messages. */
export const DATE_RANGE = '1900-01-01 to 2100-12-31';
/** The same bounds as instants (UTC), for bars that arrive stamped rather than written as dates. */
export const FIRST_TIME_MS = Date.UTC(1900, 0, 1);
export const END_TIME_MS = Date.UTC(2101, 0, 1);


/**
 * Returns the first rule a bar breaks, or undefined. NaN fails every comparison, so the positive checks are
 * written as `!(x > 0)` to catch it even if a caller forgot to check parsing.
 */
export function barProblem(open: number, high: number, low: number, close: number, volume: number): RowProblem | undefined {
  if (!(open > 0 && high > 0 && low > 0 && close > 0)) return 'non-positive-price';
  if (high > MAX_MAGNITUDE || volume > MAX_MAGNITUDE) return 'value-too-large';
  if (high < low) return 'high-below-low';
  if (open < low || open > high) return 'open-outside-range';
  if (close < low || close > high) return 'close-outside-range';
  if (!(volume >= 0)) return 'negative-volume';
  return undefined;
}

/** What a message about one row needs; built only when a row is refused with onBadRow 'error'. */
export interface RowContext {
  readonly displayPath: string;
  readonly layout: RowLayout;
  readonly lineNo: number;
  readonly line: string;
  /** The last accepted row, for ordering problems. */
  readonly previousLineNo: number;
  readonly previousLine: string;
}

function timeFieldCount(layout: RowLayout): number {
  return layout.time === 'date+time' ? 2 : 1;
}

/** Returns how the row's time is named and written, e.g. `Date,Time 2006-01-02,09:05:00`. */
function when(layout: RowLayout, fields: readonly string[]): string {
  const n = timeFieldCount(layout);
  return `${layout.columns.slice(0, n).join(',')} ${escapeText(fields.slice(0, n).join(','), 60)}`;
}

function whenValue(layout: RowLayout, line: string): string {
  return escapeText(line.split(',').slice(0, timeFieldCount(layout)).join(','), 60);
}

/** Returns the message for a refused row: `file:line: field value problem`. */
export function rowMessage(problem: RowProblem, ctx: RowContext): string {
  const { layout } = ctx;
  const fields = ctx.line.split(',');
  // Every piece of the row is escaped and cut before it is quoted: the file's bytes never reach a
  // terminal or a log as they are.
  const field = (i: number): string => escapeText(fields[i] ?? '', 40);
  const named = (i: number): string => `${layout.columns[i] ?? `field ${i + 1}`} ${field(i)}`;
  const [o, h, l, c, v] = layout.priceFields;
  const value = (i: number): number => Number(fields[i]);
  let text: string;
  switch (problem) {
    case 'field-count':
      text = `expected ${layout.fieldCount} fields (${layout.columns.join(',')}), found ${fields.length}`;
      break;
    case 'bad-date':
      text = `Date "${field(0)}" is not a valid date (YYYY-MM-DD)`;
      break;
    case 'date-out-of-range':
      text =
        `${layout.columns[0] ?? 'Date'} "${field(0)}" is outside the dates tradeflow accepts (${DATE_RANGE}); ` +
        'a date so far off is almost always a typo, and a calendar would have to walk every day up to it';
      break;
    case 'bad-time': {
      const i = layout.time === 'date+time' ? 1 : 0;
      const shape = layout.time === 'date+time' ? 'HH:MM:SS' : 'YYYY-MM-DD HH:MM:SS';
      text = `${layout.columns[i] ?? 'Time'} "${field(i)}" is not a valid time (${shape}) in the source's time zone`;
      break;
    }
    case 'bad-number': {
      const i = layout.priceFields.find((f) => Number.isNaN(parseField(fields[f]))) ?? o;
      text = `${layout.columns[i] ?? 'value'} "${field(i)}" is not a number`;
      break;
    }
    case 'value-too-large': {
      const i = [h, v].find((f) => value(f) > MAX_MAGNITUDE) ?? h;
      text = `${named(i)} is larger than ${MAX_MAGNITUDE.toExponential()}, the most a price or volume may be (products of such values overflow)`;
      break;
    }
    case 'non-positive-price': {
      const i = [o, h, l, c].find((f) => !(value(f) > 0)) ?? o;
      text = `${named(i)} is not positive`;
      break;
    }
    case 'high-below-low':
      text = `${named(h)} is below ${named(l)}`;
      break;
    case 'open-outside-range':
      text = `${named(o)} is ${value(o) < value(l) ? `below ${named(l)}` : `above ${named(h)}`}`;
      break;
    case 'close-outside-range':
      text = `${named(c)} is ${value(c) < value(l) ? `below ${named(l)}` : `above ${named(h)}`}`;
      break;
    case 'negative-volume':
      text = `${named(v)} is negative`;
      break;
    case 'duplicate-timestamp':
      text = `${when(layout, fields)} repeats the time of line ${ctx.previousLineNo}; each bar needs its own time`;
      break;
    case 'out-of-order':
      text =
        `${when(layout, fields)} is before ${whenValue(layout, ctx.previousLine)} on line ${ctx.previousLineNo}; ` +
        'rows must be in time order';
      break;
  }
  return `${ctx.displayPath}:${ctx.lineNo}: ${text}`;
}

function parseField(s: string | undefined): number {
  return s === undefined ? NaN : parseNumber(s, 0, s.length);
}
