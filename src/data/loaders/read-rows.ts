// Reads a bar file's data rows into columns in one pass over the text, checking each row as it goes.
import { TradeflowError } from '../../core/errors.ts';
import type { TimeStamper } from '../time-stamper.ts';
import type { RowLayout } from './formats.ts';
import { parseDate, parseNumber, parseTime } from './parse.ts';
import type { RowProblem } from './validate.ts';
import { barProblem, FIRST_DATE, LAST_DATE, rowMessage } from './validate.ts';

/** Validated rows in columns. `ts` is the time as written, in epoch ms UTC, not yet moved to the bar close. */
export interface ParsedRows {
  readonly count: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** The local date of each row as yyyymmdd, so gaps can be measured within a day. */
  readonly day: Int32Array;
  readonly skipped: number;
  readonly problems: Readonly<Partial<Record<RowProblem, number>>>;
  /** The first skipped rows (at most FIRST_SKIPPED_KEPT), with their line numbers, so a report can say where. */
  readonly firstSkipped: readonly SkippedRow[];
}

/** A row skipped with onBadRow 'skip': its 1-based line and the rule it broke. */
export interface SkippedRow {
  readonly line: number;
  readonly problem: RowProblem;
}

/** How many skipped rows a load remembers by line. */
export const FIRST_SKIPPED_KEPT = 5;

/** What the row reader needs: the whole text and where its data rows start. */
export interface ReadRowsOptions {
  readonly text: string;
  /** Offset of the first character after the header line. */
  readonly bodyStart: number;
  /** 1-based line number of the header, so messages count lines as an editor does. */
  readonly headerLineNo: number;
  readonly layout: RowLayout;
  readonly stamper: TimeStamper;
  readonly onBadRow: 'error' | 'skip';
  readonly displayPath: string;
}

const CH_LF = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_T = 84;

function countLines(text: string, from: number): number {
  let n = 1;
  for (let i = text.indexOf('\n', from); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) > CH_SPACE) return false;
  return true;
}

/** Reads, validates and stamps every data row; refuses or skips bad rows as `onBadRow` says. */
export function readRows(options: ReadRowsOptions): ParsedRows {
  const { text, layout, stamper } = options;
  const capacity = countLines(text, options.bodyStart);
  const ts = new Float64Array(capacity);
  const open = new Float64Array(capacity);
  const high = new Float64Array(capacity);
  const low = new Float64Array(capacity);
  const close = new Float64Array(capacity);
  const volume = new Float64Array(capacity);
  const day = new Int32Array(capacity);
  const problems: Partial<Record<RowProblem, number>> = {};
  const firstSkipped: SkippedRow[] = [];
  const expected = layout.fieldCount;
  // Field k ends at bounds[k] (a comma or the line end) and starts after bounds[k - 1].
  const bounds = new Int32Array(expected);
  const [fo, fh, fl, fc, fv] = layout.priceFields;
  const hasClock = layout.time !== 'date';
  const timeField = layout.time === 'date+time' ? 1 : 0;

  let count = 0;
  let skipped = 0;
  let lineNo = options.headerLineNo;
  let prevTs = Number.NEGATIVE_INFINITY;
  let prevLineNo = 0;
  let prevStart = 0;
  let prevEnd = 0;
  const length = text.length;

  for (let start = options.bodyStart; start < length; ) {
    lineNo++;
    const nl = text.indexOf('\n', start);
    const next = nl < 0 ? length : nl + 1;
    let end = nl < 0 ? length : nl;
    if (end > start && text.charCodeAt(end - 1) === CH_CR) end--;
    if (isBlank(text, start, end)) {
      start = next;
      continue;
    }

    let fields = 0;
    for (let p = start; ; ) {
      let comma = text.indexOf(',', p);
      if (comma < 0 || comma > end) comma = end;
      if (fields < expected) bounds[fields] = comma;
      fields++;
      if (comma === end) break;
      p = comma + 1;
    }

    let problem: RowProblem | undefined;
    let t = NaN;
    let ymd = 0;
    let o = NaN;
    let h = NaN;
    let l = NaN;
    let c = NaN;
    let v = NaN;
    if (fields !== expected) {
      problem = 'field-count';
    } else {
      const dateEnd = bounds[0] as number;
      ymd = dateEnd - start >= 10 ? parseDate(text, start) : -1;
      const dateShapeOk = layout.time === 'datetime' || dateEnd - start === 10;
      if (ymd < 0 || !dateShapeOk) problem = 'bad-date';
      // A date far off (9999-12-31) would make the calendars walk every day up to it.
      else if (ymd < FIRST_DATE || ymd > LAST_DATE) problem = 'date-out-of-range';
      else {
        const year = (ymd / 10000) | 0;
        const month = ((ymd / 100) | 0) % 100;
        const dayOfMonth = ymd % 100;
        if (hasClock) {
          let seconds = -1;
          if (layout.time === 'datetime') {
            const sep = text.charCodeAt(start + 10);
            if (sep === CH_SPACE || sep === CH_T) seconds = parseTime(text, start + 11, dateEnd);
          } else {
            seconds = parseTime(text, dateEnd + 1, bounds[timeField] as number);
          }
          if (seconds >= 0) {
            const hh = (seconds / 3600) | 0;
            const mm = ((seconds / 60) | 0) % 60;
            t = stamper.localToUtc(year, month, dayOfMonth, hh, mm, seconds % 60);
          }
          if (!Number.isFinite(t)) problem = 'bad-time';
        } else {
          t = stamper.sessionCloseUtc(year, month, dayOfMonth);
          if (!Number.isFinite(t)) problem = 'bad-date';
        }
      }
      if (problem === undefined) {
        o = parseNumber(text, (bounds[fo - 1] as number) + 1, bounds[fo] as number);
        h = parseNumber(text, (bounds[fh - 1] as number) + 1, bounds[fh] as number);
        l = parseNumber(text, (bounds[fl - 1] as number) + 1, bounds[fl] as number);
        c = parseNumber(text, (bounds[fc - 1] as number) + 1, bounds[fc] as number);
        v = parseNumber(text, (bounds[fv - 1] as number) + 1, bounds[fv] as number);
        if (Number.isNaN(o + h + l + c + v)) problem = 'bad-number';
        else problem = barProblem(o, h, l, c, v);
      }
      if (problem === undefined && t <= prevTs) problem = t === prevTs ? 'duplicate-timestamp' : 'out-of-order';
    }

    if (problem !== undefined) {
      if (options.onBadRow === 'error') {
        const message = rowMessage(problem, {
          displayPath: options.displayPath,
          layout,
          lineNo,
          line: text.slice(start, end),
          previousLineNo: prevLineNo,
          previousLine: text.slice(prevStart, prevEnd),
        });
        throw new TradeflowError('TF_ERR_DATA_ROW', message);
      }
      problems[problem] = (problems[problem] ?? 0) + 1;
      if (skipped < FIRST_SKIPPED_KEPT) firstSkipped.push({ line: lineNo, problem });
      skipped++;
    } else {
      ts[count] = t;
      open[count] = o;
      high[count] = h;
      low[count] = l;
      close[count] = c;
      volume[count] = v;
      day[count] = ymd;
      count++;
      prevTs = t;
      prevLineNo = lineNo;
      prevStart = start;
      prevEnd = end;
    }
    start = next;
  }
  return { count, ts, open, high, low, close, volume, day, skipped, problems, firstSkipped };
}

/** Returns the offset just past the line that starts at `start` (after its LF, or the text end). */
export function lineEnd(text: string, start: number): number {
  const nl = text.indexOf('\n', start);
  return nl < 0 ? text.length : nl + 1;
}

/** Returns the line at `start` without its line break. */
export function lineAt(text: string, start: number): string {
  let end = lineEnd(text, start);
  if (end > start && text.charCodeAt(end - 1) === CH_LF) end--;
  if (end > start && text.charCodeAt(end - 1) === CH_CR) end--;
  return text.slice(start, end);
}
