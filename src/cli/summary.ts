import type { BacktestResult } from '../engine/result.ts';

const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(2)} %` : 'n/a');
const num = (x: unknown, digits = 2) => (typeof x === 'number' ? x.toFixed(digits) : 'n/a');
const money = (x: number) =>
  x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Renders the human summary of a backtest as aligned text. */
export function formatSummary(r: BacktestResult, extra: readonly (readonly [string, string])[] = []): string {
  const s = r.stats;
  const rows: [string, string][] = [
    ['run', r.run_id],
    ['status', r.status],
    ['bars', r.bars.toLocaleString('en-US')],
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
  const strat = r.strategies.map(
    (st) =>
      `  ${st.name.padEnd(w)}  ${st.status === 'ran' ? `${st.notifications} bars, ${st.signals} signals, ${st.errors} errors` : `not started: ${st.reason ?? ''}`}`,
  );
  return [`Backtest ${r.name}`, ...lines, '', 'Strategies', ...strat].join('\n');
}
