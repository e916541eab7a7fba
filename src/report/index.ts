export type { HtmlReportInput } from './html-report.ts';
export { MAX_CHART_POINTS, MAX_TRADE_ROWS, renderHtmlReport, writeHtmlReport } from './html-report.ts';
export type { ChartSeries } from './downsample.ts';
export { chartSeries, downsampleIndices } from './downsample.ts';
export * from './format.ts';
export * from './result.ts';
export type { BacktestOutcome } from './backtest-outcome.ts';
export { runBacktestWithResult } from './backtest-outcome.ts';
