/**
 * A strict reader of the Prometheus text format (version 0.0.4), so tests can check what the exporter
 * serves as a scraper would read it. Stricter than Prometheus where that costs nothing: every family
 * declares its TYPE before its samples, families are contiguous, a series appears once, and a
 * histogram's buckets are cumulative and end at +Inf equal to its count.
 */

/** One sample line. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The kinds of family the format knows. */
export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** A metric family: its TYPE, HELP and samples in order. */
export interface Family {
  readonly name: string;
  readonly type: FamilyType;
  readonly help: string | undefined;
  readonly samples: readonly Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TYPES: readonly string[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const SUFFIXES: Readonly<Record<FamilyType, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function parseValue(text: string): number {
  if (NUMBER.test(text)) return Number(text);
  const t = text.toLowerCase();
  if (t === '+inf' || t === 'inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan') return NaN;
  throw new Error(`"${text}" is not a number`);
}

/** Reads `{a="1",b="x\"y"}` from `s` at `i` (just after the metric name); returns the labels and where it ended. */
function parseLabels(s: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  if (s[i] === '}') return { labels, end: i + 1 };
  for (;;) {
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error('a label has no "="');
    const name = s.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`bad label name "${name}"`);
    if (name in labels) throw new Error(`label ${name} given twice`);
    if (s[eq + 1] !== '"') throw new Error(`label ${name}: the value is not quoted`);
    let value = '';
    for (i = eq + 2; ; i++) {
      const c = s[i];
      if (c === undefined) throw new Error(`label ${name}: unterminated value`);
      if (c === '"') break;
      if (c === '\\') {
        const next = s[++i];
        if (next === '\\' || next === '"') value += next;
        else if (next === 'n') value += '\n';
        else throw new Error(`label ${name}: bad escape \\${next ?? ''}`);
      } else value += c;
    }
    labels[name] = value;
    i++;
    if (s[i] === '}') return { labels, end: i + 1 };
    if (s[i] !== ',') throw new Error(`label ${name}: expected "," or "}" after the value`);
    i++;
  }
}

function parseSample(line: string): Sample {
  const nameEnd = line.search(/[{ ]/);
  if (nameEnd <= 0) throw new Error('a sample needs a name and a value');
  const name = line.slice(0, nameEnd);
  if (!METRIC_NAME.test(name)) throw new Error(`bad metric name "${name}"`);
  const { labels, end } = line[nameEnd] === '{' ? parseLabels(line, nameEnd) : { labels: {}, end: nameEnd };
  const rest = line.slice(end);
  const m = /^ +(\S+)(?: +(-?\d+))?$/.exec(rest);
  if (!m) throw new Error(`expected " value [timestamp]" after the series, got "${rest}"`);
  return { name, labels, value: parseValue(m[1] ?? '') };
}

function seriesKey(s: Sample, without?: string): string {
  const keys = Object.keys(s.labels)
    .filter((k) => k !== without)
    .sort();
  return `${s.name}{${keys.map((k) => `${k}=${JSON.stringify(s.labels[k])}`).join(',')}}`;
}

function checkHistogram(f: Pick<Family, 'name' | 'samples'>): void {
  const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const key = seriesKey({ ...s, name: f.name }, 'le');
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name.endsWith('_bucket')) {
      const le = s.labels['le'];
      if (le === undefined) throw new Error(`${key}: a bucket without "le"`);
      g.buckets.push([parseValue(le), s.value]);
    } else if ('le' in s.labels) throw new Error(`${s.name}: "le" outside a bucket`);
    else if (s.name.endsWith('_sum')) g.sum = s.value;
    else g.count = s.value;
  }
  for (const [key, g] of groups) {
    const sorted = [...g.buckets].sort((a, b) => a[0] - b[0]);
    sorted.forEach(([le, n], i) => {
      if (i > 0 && (le === sorted[i - 1]![0] || n < sorted[i - 1]![1]))
        throw new Error(`${key}: bucket le=${le} repeats or counts fewer than the one below`);
    });
    const inf = sorted.at(-1);
    if (inf?.[0] !== Infinity) throw new Error(`${key}: no +Inf bucket`);
    if (g.count === undefined || g.sum === undefined) throw new Error(`${key}: _sum or _count missing`);
    if (inf[1] !== g.count) throw new Error(`${key}: +Inf bucket ${inf[1]} differs from _count ${g.count}`);
  }
}

/** Parses an exposition; throws an error naming the line on anything out of the format. */
export function parsePrometheusText(text: string): ReadonlyMap<string, Family> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition does not end with a line break');
  interface Building {
    name: string;
    type: FamilyType;
    help?: string;
    samples: Sample[];
  }
  const families = new Map<string, Building>();
  const series = new Set<string>();
  let current: string | undefined;
  const open = (name: string): Building => {
    if (current === name) return families.get(name)!;
    if (families.has(name)) throw new Error(`family ${name} is not contiguous`);
    const f: Building = { name, type: 'untyped', samples: [] };
    families.set(name, f);
    current = name;
    return f;
  };
  text
    .split('\n')
    .slice(0, -1)
    .forEach((line, i) => {
      const lineNo = i + 1;
      try {
        if (line.trim() === '') return;
        const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
        if (meta) {
          const [, kind, name = '', arg = ''] = meta;
          if (!METRIC_NAME.test(name)) throw new Error(`bad metric name "${name}"`);
          const f = open(name);
          if (kind === 'HELP') {
            if (f.help !== undefined) throw new Error(`second HELP for ${name}`);
            f.help = arg.replace(/\\(n|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
          } else {
            if (!TYPES.includes(arg)) throw new Error(`unknown type "${arg}"`);
            if (f.samples.length > 0 || f.type !== 'untyped')
              throw new Error(`TYPE of ${name} after its samples or twice`);
            f.type = arg as FamilyType;
          }
          return;
        }
        if (line.startsWith('#')) return;
        const sample = parseSample(line);
        const cur = current === undefined ? undefined : families.get(current);
        const belongs = (f: { name: string; type: FamilyType }) =>
          SUFFIXES[f.type].some((sfx) => sample.name === f.name + sfx);
        let owner = cur && belongs(cur) ? cur : undefined;
        if (!owner) {
          const earlier = [...families.values()].find(belongs);
          if (earlier) throw new Error(`family ${earlier.name} is not contiguous`);
          owner = open(sample.name);
        }
        const key = seriesKey(sample);
        if (series.has(key)) throw new Error(`series ${key} appears twice`);
        series.add(key);
        if ((owner.type === 'counter' || sample.name.endsWith('_count')) && !(sample.value >= 0))
          throw new Error(`${key}: a count must be a number >= 0`);
        owner.samples.push(sample);
      } catch (e) {
        throw new Error(`line ${lineNo}: ${(e as Error).message}: ${line}`, { cause: e });
      }
    });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  const out = new Map<string, Family>();
  for (const f of families.values())
    out.set(f.name, { name: f.name, type: f.type, help: f.help, samples: f.samples });
  return out;
}
