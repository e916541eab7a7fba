// The HTML report of a run: one self-contained file with its summary, equity and drawdown charts,
// positions and trades.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TradeflowError } from '../core/errors.ts';
import type { Position, Trade } from '../model/order.ts';
import type { EquityPoint, RunStats } from '../model/run.ts';
import { chartSeries } from './downsample.ts';
import {
  escapeHtml,
  formatMoney,
  formatPercent,
  formatPrice,
  formatQuantity,
  formatRatio,
  formatTs,
} from './format.ts';
import { chartLibrary, REPORT_CSS, REPORT_SCRIPT } from './report-assets.ts';

/** What a report shows. `generatedAt` is passed in (epoch ms): rendering never reads the time. */
export interface HtmlReportInput {
  readonly runId: string;
  readonly name: string;
  readonly stats: RunStats;
  readonly equity: readonly EquityPoint[];
  readonly trades: readonly Trade[];
  readonly openPositions: readonly Position[];
  readonly generatedAt: number;
}

/** Most points a chart draws; longer curves are downsampled, keeping each bucket's extremes. */
export const MAX_CHART_POINTS = 5_000;
/** Most trades the table lists; a browser slows down past this, and the run store keeps them all. */
export const MAX_TRADE_ROWS = 10_000;

const esc = escapeHtml;
const signClass = (v: number) => (v > 0 ? 'pos' : v < 0 ? 'neg' : '');
const num = (text: string, cls = '') => `<td class="num${cls ? ` ${cls}` : ''}">${esc(text)}</td>`;

function summaryTables(s: RunStats): string {
  const groups: [string, string, string?][][] = [
    [
      ['Initial value', formatMoney(s.initialValue)],
      ['Final value', formatMoney(s.finalValue)],
      ['Total return', formatPercent(s.totalReturn), signClass(s.totalReturn)],
      ['CAGR', formatPercent(s.cagr), signClass(s.cagr)],
      ['Sharpe (daily, annualised)', formatRatio(s.sharpe)],
      ['Sortino (daily, annualised)', formatRatio(s.sortino)],
    ],
    [
      ['Max drawdown', formatPercent(-s.maxDrawdown), signClass(-s.maxDrawdown)],
      ['Drawdown peak', formatTs(s.maxDrawdownPeakTs)],
      ['Drawdown trough', formatTs(s.maxDrawdownTroughTs)],
      [
        'Recovered',
        s.maxDrawdownTroughTs !== null && s.maxDrawdownRecoveryTs === null
          ? 'not yet'
          : formatTs(s.maxDrawdownRecoveryTs),
      ],
      ['Exposure', formatPercent(s.exposure)],
      ['Bars', formatQuantity(s.bars)],
    ],
    [
      ['Trades', formatQuantity(s.tradeCount)],
      ['Win rate', formatPercent(s.winRate)],
      ['Profit factor', formatRatio(s.profitFactor)],
    ],
  ];
  const table = (rows: [string, string, string?][]) =>
    `<table><tbody>${rows.map(([k, v, cls]) => `<tr><td>${esc(k)}</td>${num(v, cls)}</tr>`).join('')}</tbody></table>`;
  return `<div class="summary">${groups.map(table).join('\n')}</div>`;
}

function tradesTable(trades: readonly Trade[]): string {
  if (trades.length === 0) return '<p class="empty">No closed trades.</p>';
  const shown = trades.slice(0, MAX_TRADE_ROWS);
  const rows = shown.map(
    (t) =>
      `<tr><td class="num">${t.id}</td><td>${esc(t.symbol)}</td><td>${esc(t.strategy)}</td>` +
      `<td>${t.direction === 1 ? 'long' : 'short'}</td><td>${formatTs(t.entryTime)}</td>` +
      `<td>${formatTs(t.exitTime)}</td>${num(formatPrice(t.entryPrice))}${num(formatPrice(t.exitPrice))}` +
      `${num(formatQuantity(t.quantity))}${num(formatMoney(t.pnl), signClass(t.pnl))}` +
      `${num(formatMoney(t.commission))}${num(formatQuantity(t.bars))}</tr>`,
  );
  const note =
    trades.length > shown.length
      ? `<p class="note">Showing the first ${formatQuantity(shown.length)} of ${formatQuantity(trades.length)} trades; the run store holds them all.</p>`
      : '';
  return (
    `${note}<div class="scroll"><table class="trades"><thead><tr><th class="num">#</th><th>Symbol</th>` +
    '<th>Strategy</th><th>Side</th><th>Entry (UTC)</th><th>Exit (UTC)</th><th class="num">Entry price</th>' +
    '<th class="num">Exit price</th><th class="num">Quantity</th><th class="num">P&amp;L</th>' +
    '<th class="num">Commission</th><th class="num">Bars</th></tr></thead>\n<tbody>\n' +
    `${rows.join('\n')}\n</tbody></table></div>`
  );
}

function positionsTable(positions: readonly Position[]): string {
  if (positions.length === 0) return '<p class="empty">No open positions.</p>';
  const rows = positions.map(
    (p) =>
      `<tr><td>${esc(p.symbol)}</td><td>${esc(p.strategy)}</td>${num(formatQuantity(p.quantity))}` +
      `${num(formatPrice(p.avgPrice))}</tr>`,
  );
  return (
    '<table class="positions"><thead><tr><th>Symbol</th><th>Strategy</th><th class="num">Quantity</th>' +
    `<th class="num">Average price</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

// A data block ends at the first "</script"; escaping "<" keeps any string in it from closing the block.
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** Returns a self-contained HTML report of a run: summary, equity and drawdown charts, positions, trades. */
export function renderHtmlReport(report: HtmlReportInput): string {
  const { js, css } = chartLibrary();
  const series = chartSeries(report.equity, MAX_CHART_POINTS);
  const noCurve = report.equity.length === 0 ? '<p class="empty">No equity points were recorded.</p>' : '';
  // The policy forbids every fetch: a report that tried to load anything would show it as a blocked request.
  const csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="generator" content="tradeflow">
<title>${esc(report.name)} · Tradeflow report</title>
<style>${css}</style>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${esc(report.name)}</h1>
<p class="meta">Run <code>${esc(report.runId)}</code> · ${formatQuantity(report.stats.bars)} bars · generated ${formatTs(report.generatedAt)}</p>
</header>
<section><h2>Summary</h2>
${summaryTables(report.stats)}
</section>
<section><h2>Equity</h2>${noCurve}<div id="equity-chart" class="chart"></div></section>
<section><h2>Drawdown</h2>${noCurve}<div id="drawdown-chart" class="chart"></div></section>
<section><h2>Open positions</h2>
${positionsTable(report.openPositions)}
</section>
<section><h2>Trades (${formatQuantity(report.trades.length)})</h2>
${tradesTable(report.trades)}
</section>
<script type="application/json" id="tf-data">${scriptJson(series)}</script>
<script>${js}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

/** Renders a report and writes it to `path`, creating its folder. */
export function writeHtmlReport(path: string, report: HtmlReportInput): void {
  const html = renderHtmlReport(report);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, html);
  } catch (e) {
    throw new TradeflowError(
      'TF_ERR_STORAGE',
      `cannot write the report ${path}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
}
