// What an HTML report inlines so that it opens offline: uPlot's script and styles, and the report's own.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TradeflowError } from '../core/errors.ts';

/** uPlot's script and style sheet, inlined so that a report opens offline and loads nothing. */
export interface ChartLibrary {
  readonly js: string;
  readonly css: string;
}

let cached: ChartLibrary | undefined;

/** Returns uPlot's minified script and CSS from the installed package (read once per process). */
export function chartLibrary(): ChartLibrary {
  if (cached !== undefined) return cached;
  try {
    const dist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
    cached = {
      // An inline script ends at the first "</script" wherever it is; "<\/" means the same in JS strings.
      js: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script'),
      css: readFileSync(join(dist, 'uPlot.min.css'), 'utf8'),
    };
    return cached;
  } catch (e) {
    throw new TradeflowError('TF_ERR_INTERNAL', 'cannot read the uplot package that reports inline', {
      cause: e,
    });
  }
}

/** The report's own style sheet. */
export const REPORT_CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --pos: #1a7f37; --neg: #d1242f; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px 32px 48px; color: var(--fg); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { margin: 0 0 4px; font-size: 24px; }
h2 { margin: 32px 0 10px; font-size: 17px; border-bottom: 1px solid var(--line); padding-bottom: 6px; }
.meta { margin: 0; color: var(--muted); }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { color: var(--muted); font-weight: 600; background: #f6f8fa; }
td.num, th.num { text-align: right; }
.summary { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0 24px; align-items: start; }
.trades { font-size: 13px; }
.trades th, .trades td { padding: 4px 8px; }
.summary table td:first-child { color: var(--muted); }
.pos { color: var(--pos); }
.neg { color: var(--neg); }
.chart { width: 100%; }
.empty, .note { color: var(--muted); }
.scroll { overflow-x: auto; }
`;

/** The script that draws the charts from the JSON data block; it runs in the browser, after uPlot. */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('tf-data').textContent);
  var nf2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var nf0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  function money(v) { return v == null ? '' : nf2.format(v); }
  function axisMoney(v) { return Math.abs(v) >= 1000 ? nf0.format(v) : nf2.format(v); }
  function pct(v) { return v == null ? '' : nf2.format(v) + '%'; }
  var charts = [];
  function chart(id, series, label, color, fill, legendFmt, axisFmt, height, yRange) {
    var el = document.getElementById(id);
    if (!el || series.t.length === 0) return;
    var line = { label: label, stroke: color, fill: fill, width: 1.5, value: function (u, v) { return legendFmt(v); } };
    if (yRange) line.fillTo = 0;
    var opts = {
      width: el.clientWidth,
      height: height,
      tzDate: function (s) { return uPlot.tzDate(new Date(s * 1000), 'Etc/UTC'); },
      scales: { x: { time: true }, y: yRange ? { range: yRange } : {} },
      series: [{ label: 'Time (UTC)' }, line],
      axes: [{}, { size: 90, values: function (u, vals) { return vals.map(axisFmt); } }],
      cursor: { drag: { x: true, y: false } }
    };
    charts.push({ el: el, height: height, plot: new uPlot(opts, [series.t, series.v], el) });
  }
  chart('equity-chart', data.equity, 'Equity', '#0969da', 'rgba(9,105,218,0.08)', money, axisMoney, 320, null);
  chart('drawdown-chart', data.drawdown, 'Drawdown', '#d1242f', 'rgba(209,36,47,0.18)', pct, pct, 200,
    function (u, min) { return [Math.min(min * 1.1, -0.5), 0]; });
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.plot.setSize({ width: c.el.clientWidth, height: c.height }); });
  });
})();
`;
