// The terminal view of a running session as lines of text: a pure function of a snapshot and the width,
// so what the user sees is pinned by tests without a terminal.
import type { SessionSnapshot } from '../../engine/session-snapshot.ts';
import type { SyncMode } from '../../engine/kernel.ts';
import { barTime, type Column, count, fit, money, price, safe, table } from './text.ts';

/** What the view shows besides the snapshot. */
export interface ViewOptions {
  /** The session's name. */
  readonly name: string;
  /** Characters per line; every line is cut to it. */
  readonly width: number;
  /** Whether keys are read (stdin is a terminal); without them the view says so instead of listing them. */
  readonly keys: boolean;
  /** The outcome of the last key, shown above the keys. */
  readonly message?: string;
  /** How many of the latest fills to show (default 5). */
  readonly fills?: number;
  /** How many positions to show before `... and n more` (default 10). */
  readonly positions?: number;
}

/** The mode as the view and the summary name it. */
export const MODE_TITLES: Readonly<Record<SyncMode, string>> = {
  data: 'Backtest',
  clock: 'Replay',
  live: 'Live',
};

const ms3 = (x: number) => x.toFixed(3);

const STRATEGY_COLUMNS: readonly Column[] = [
  { head: 'key', right: true },
  { head: 'strategy' },
  { head: 'state' },
  { head: 'bars', right: true, drop: 5 },
  { head: 'signals', right: true },
  { head: 'errors', right: true },
  { head: 'overruns', right: true, drop: 4 },
  { head: 'avg ms', right: true, drop: 2 },
  { head: 'p99 ms', right: true, drop: 3 },
  { head: 'where', drop: 1 },
];

const POSITION_COLUMNS: readonly Column[] = [
  { head: 'account', drop: 1 },
  { head: 'strategy' },
  { head: 'symbol' },
  { head: 'qty', right: true },
  { head: 'avg price', right: true, drop: 2 },
  { head: 'last', right: true, drop: 3 },
  { head: 'unrealized', right: true },
];

/** The keys line: what each key does. */
export const KEYS_LINE = 'keys: p pause/resume  1-9 pause/resume that strategy  q quit (results kept)';

/** Renders the view of a session at one moment, each line at most `o.width` characters. */
export function renderView(s: SessionSnapshot, o: ViewOptions): string[] {
  const width = Math.max(20, o.width);
  const several = s.accounts.length > 1;
  const state = s.paused ? 'PAUSED' : 'running';
  const lines = [
    `${MODE_TITLES[s.mode]} ${safe(o.name)}  ${state}  last bar ${barTime(s.lastBarMs)}  steps ${count(s.steps)}`,
    `cash ${money(s.cash)}  equity ${money(s.equity)}` +
      (several ? `  (account ${safe(s.accounts[0]?.name ?? '')}; ${s.accounts.length} accounts)` : ''),
    '',
    'Strategies',
    ...(s.strategies.length === 0
      ? ['  none running']
      : table(
          STRATEGY_COLUMNS,
          s.strategies.map((st, i) => [
            i < 9 ? String(i + 1) : '',
            safe(st.name),
            st.state,
            String(st.notifications),
            String(st.signals),
            String(st.errors),
            String(st.overruns),
            ms3(st.avgMs),
            ms3(st.p99Ms),
            st.isolation,
          ]),
          width,
        )),
    ...s.strategies
      .filter((st) => st.faultReason !== undefined)
      .map((st) => `  ${safe(st.name)}: ${safe(st.faultReason ?? '')}`),
    '',
    'Positions',
    ...positionLines(s, width, o.positions ?? 10, several),
    '',
    'Last fills',
    ...fillLines(s, o.fills ?? 5),
    '',
    ...(o.message ? [o.message] : []),
    o.keys ? KEYS_LINE : 'keys: none (stdin is not a terminal); Ctrl-C stops the run, results kept',
  ];
  return lines.map((line) => fit(line, width));
}

function positionLines(s: SessionSnapshot, width: number, max: number, several: boolean): string[] {
  const rows = s.accounts.flatMap((a) =>
    a.positions.map((p) => [
      safe(a.name),
      safe(p.strategy),
      safe(p.symbol),
      String(p.quantity),
      price(p.avgPrice),
      price(p.lastPrice),
      money(p.unrealizedPnl),
    ]),
  );
  if (rows.length === 0) return ['  none'];
  // The account column only tells accounts apart.
  const columns = several ? POSITION_COLUMNS : POSITION_COLUMNS.slice(1);
  const shown = rows.slice(0, max).map((r) => (several ? r : r.slice(1)));
  return [
    ...table(columns, shown, width),
    ...(rows.length > max ? [`  ... and ${rows.length - max} more`] : []),
  ];
}

function fillLines(s: SessionSnapshot, max: number): string[] {
  const fills = s.recentFills.slice(-max);
  if (fills.length === 0) return ['  none yet'];
  return fills.map(
    (f) =>
      `  ${barTime(f.ts)}  ${safe(f.strategy)}  ${safe(f.symbol)}  ${f.side} ${f.quantity} @ ${price(f.price)}` +
      (s.accounts.length > 1 ? `  (${safe(f.account)})` : ''),
  );
}
