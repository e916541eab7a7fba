// The text a run prints when it ends: the result's summary, and the per-strategy and system metrics.
import type { EngineMetrics } from '../engine/kernel.ts';
import { type BacktestResult, type StrategyFigures, strategyFigures } from '../report/result.ts';

const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(2)} %` : 'n/a');
const num = (x: unknown, digits = 2) => (typeof x === 'number' ? x.toFixed(digits) : 'n/a');
const money = (x: number) =>
  x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The summary's title word for each kind of run. */
const TITLES: Readonly<Record<BacktestResult['kind'], string>> = {
  backtest: 'Backtest',
  replay: 'Replay',
  live: 'Live',
};

/** Renders the human summary of a run as aligned text, titled by its kind (`Backtest`, `Replay`, `Live`). */
export function formatSummary(r: BacktestResult, extra: readonly (readonly [string, string])[] = []): string {
  const s = r.stats;
  const rows: [string, string][] = [
    ['run', r.run_id],
    ['status', r.status],
    ['bars', r.bars.toLocaleString('en-US')],
    // With several accounts, the figures below are the primary account's; the others get a line each.
    ...(r.accounts.length > 1
      ? r.accounts.map(
          (a) =>
            [
              `account ${a.name}`,
              `${money(a.initial_cash)} -> ${money(a.final_value)}, ${a.trades} trades${a.name === r.account ? ' (the figures below)' : ''}`,
            ] as [string, string],
        )
      : []),
    ['initial cash', money(r.initial_cash)],
    ['final value', money(r.final_value)],
    ['total return', pct(s['total_return'])],
    ['CAGR', pct(s['cagr'])],
    ['Sharpe', num(s['sharpe'])],
    ['Sortino', num(s['sortino'])],
    [
      'max drawdown',
      `${pct(s['max_drawdown'])}${s['max_drawdown_peak'] ? ` (${String(s['max_drawdown_peak']).slice(0, 10)} -> ${String(s['max_drawdown_trough']).slice(0, 10)})` : ''}`,
    ],
    ['trades', String(r.trades.length)],
    ['win rate', pct(s['win_rate'])],
    ['profit factor', s['profit_factor'] === null ? 'inf' : num(s['profit_factor'])],
    ['exposure', pct(s['exposure'])],
    [
      'open positions',
      r.open_positions.map((p) => `${p.strategy}:${p.symbol} ${p.quantity}`).join(', ') || 'none',
    ],
    ['orders', `${r.orders.filled} filled, ${r.orders.rejected} rejected, ${r.orders.cancelled} cancelled`],
    ...extra.map(([k, v]) => [k, v] as [string, string]),
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`);
  return [`${TITLES[r.kind]} ${r.name}`, ...lines].join('\n');
}

const ms = (x: number) => x.toFixed(3);

/** The table's figure columns: the heading, the figure it shows (as the result keeps it) and how it is written. */
const FIGURE_COLUMNS: readonly (readonly [string, keyof StrategyFigures, (x: number) => string])[] = [
  ['bars', 'notifications', String],
  ['signals', 'signals', String],
  ['errors', 'errors', String],
  ['bad signals', 'invalid_signals', String],
  ['model errors', 'inference_errors', String],
  ['avg ms', 'avg_ms', ms],
  ['p99 ms', 'p99_ms', ms],
  ['max ms', 'max_ms', ms],
  ['overruns', 'overruns', String],
  ['dropped', 'dropped', String],
  ['queue', 'queue_depth', String],
  ['backpressure', 'backpressure_events', String],
];

/** Renders the per-strategy and system metrics of a run as an aligned table. */
export function formatMetrics(r: BacktestResult, m: EngineMetrics): string {
  const head = ['strategy', 'where', 'status', ...FIGURE_COLUMNS.map(([h]) => h)];
  const rows = m.strategies.map((s) => {
    const figures = strategyFigures(s);
    return [
      s.name,
      s.isolation,
      s.status,
      ...FIGURE_COLUMNS.map(([, key, show]) =>
        // Only a strategy with a model has inferences to fail.
        key === 'inference_errors' && s.kind === 'rules' ? '' : show(figures[key]),
      ),
    ];
  });
  for (const st of r.strategies) {
    if (st.status === 'not_started') rows.push([st.name, '', 'not started', ...head.slice(3).map(() => '')]);
  }
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) =>
    '  ' +
    row
      .map((c, i) => c.padEnd(w[i]!))
      .join('  ')
      .trimEnd();
  const sys = m.system;
  const notes = [
    ...r.strategies.filter((st) => st.reason).map((st) => `  ${st.name}: ${st.reason}`),
    `  ${sys.strategiesTotal} strategies: ${sys.active} active, ${sys.paused} paused, ${sys.faulted} faulted; ${sys.totalSignals} signals; slowest ${sys.slowestStrategy ?? 'n/a'}; lag avg ${ms(sys.avgLagMs)} ms, max ${ms(sys.maxLagMs)} ms; ${sys.backpressureEvents} backpressure events`,
  ];
  return ['Strategies', line(head), ...rows.map(line), ...notes].join('\n');
}
