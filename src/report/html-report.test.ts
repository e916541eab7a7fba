import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import type { Trade } from '../model/order.ts';
import type { EquityPoint } from '../model/run.ts';
import { computeStats } from '../model/run-stats.ts';
import type { ChartSeries } from './downsample.ts';
import type { HtmlReportInput } from './html-report.ts';
import { MAX_CHART_POINTS, MAX_TRADE_ROWS, renderHtmlReport, writeHtmlReport } from './html-report.ts';

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const EVIL = '<script>alert(1)</script>';

function aTrade(id: number, overrides: Partial<Trade> = {}): Trade {
  return {
    id,
    account: 'default',
    strategy: 'sma',
    symbol: 'ORCL',
    direction: 1,
    quantity: 10,
    entryTime: T0 + id * 60_000,
    entryPrice: 101.25,
    exitTime: T0 + id * 60_000 + 3_600_000,
    exitPrice: 103.5,
    pnl: 21.5,
    commission: 1,
    bars: 60,
    ...overrides,
  };
}

function anInput(overrides: Partial<HtmlReportInput> = {}): HtmlReportInput {
  const equity: EquityPoint[] = Array.from({ length: 20_000 }, (_, i) => ({
    ts: T0 + i * 60_000,
    equity: 10_000 + 50 * Math.sin(i / 500) + i * 0.01,
    cash: 10_000,
  }));
  const trades = [aTrade(1), aTrade(2, { direction: -1, symbol: 'MSFT', pnl: -1234.5, exitPrice: 99.875 })];
  return {
    runId: 'bt-1',
    name: 'SMA cross',
    stats: computeStats({
      equity,
      trades,
      initialValue: 10_000,
      exposureSteps: 5,
      totalSteps: 20,
      bars: 20_000,
    }),
    equity,
    trades,
    openPositions: [{ strategy: 'sma', symbol: 'ORCL', quantity: 150, avgPrice: 172.375 }],
    generatedAt: Date.UTC(2024, 6, 1, 12),
    ...overrides,
  };
}

const tbodyRows = (html: string, table: string) => {
  const body = new RegExp(`<table class="${table}">.*?<tbody>(.*?)</tbody>`, 's').exec(html)?.[1] ?? '';
  return body.match(/<tr>/g)?.length ?? 0;
};

const chartData = (html: string) => {
  const json = /<script type="application\/json" id="tf-data">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null';
  return JSON.parse(json) as { equity: ChartSeries; drawdown: ChartSeries };
};

describe('renderHtmlReport', () => {
  const html = renderHtmlReport(anInput());

  it('shows the title, run id, generation time and formatted stats', () => {
    expect(html).toContain('<title>SMA cross · Tradeflow report</title>');
    expect(html).toContain('<code>bt-1</code>');
    expect(html).toContain('generated 2024-07-01T12:00Z');
    expect(html).toContain('<td>Initial value</td><td class="num">10,000.00</td>');
    expect(html).toContain('<td>Exposure</td><td class="num">25.00%</td>');
    expect(html).toContain('<td>Win rate</td><td class="num">50.00%</td>');
  });

  it('lists each trade with symbol, strategy, ISO times, prices, quantity and P&L', () => {
    expect(tbodyRows(html, 'trades')).toBe(2);
    expect(html).toContain(
      '<tr><td class="num">2</td><td>MSFT</td><td>sma</td><td>short</td><td>2024-01-02T14:32Z</td>' +
        '<td>2024-01-02T15:32Z</td><td class="num">101.25</td><td class="num">99.875</td><td class="num">10</td>' +
        '<td class="num neg">-1,234.50</td><td class="num">1.00</td><td class="num">60</td></tr>',
    );
    expect(tbodyRows(html, 'positions')).toBe(1);
    expect(html).toContain('<td class="num">172.375</td>');
  });

  it('loads nothing from the network: uPlot is inlined and the page forbids fetches', () => {
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?\s*(https?:)?\/\//i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('var uPlot=');
    expect(html).toContain('.uplot');
  });

  it('downsamples the charts to at most 5,000 points, keeping both ends', () => {
    const { equity, drawdown } = chartData(html);
    expect(MAX_CHART_POINTS).toBe(5_000);
    for (const s of [equity, drawdown]) {
      expect(s.t.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
      expect(s.t.length).toBe(s.v.length);
      expect(s.t[0]).toBe(T0 / 1000);
      expect(s.t.at(-1)).toBe((T0 + 19_999 * 60_000) / 1000);
    }
    expect(Math.min(...drawdown.v)).toBeCloseTo(-anInput().stats.maxDrawdown * 100, 3);
  });

  it('escapes every string it shows, so a name or symbol cannot inject markup', () => {
    const evil = renderHtmlReport(
      anInput({
        runId: EVIL,
        name: EVIL,
        trades: [aTrade(1, { symbol: EVIL, strategy: EVIL })],
        openPositions: [{ strategy: EVIL, symbol: EVIL, quantity: 1, avgPrice: 1 }],
      }),
    );
    expect(evil).not.toContain(EVIL);
    expect(evil.split('&lt;script&gt;alert(1)&lt;/script&gt;').length - 1).toBe(7);
    expect(evil.match(/<script\b/g)).toHaveLength(3);
  });

  it('renders the same bytes for the same input (it reads no clock)', () => {
    expect(renderHtmlReport(anInput())).toBe(html);
  });

  it('says so when there is no curve, no trade and no position', () => {
    const empty = renderHtmlReport(anInput({ equity: [], trades: [], openPositions: [] }));
    expect(empty).toContain('No equity points were recorded.');
    expect(empty).toContain('No closed trades.');
    expect(empty).toContain('No open positions.');
    expect(chartData(empty)).toStrictEqual({ equity: { t: [], v: [] }, drawdown: { t: [], v: [] } });
  });

  it('lists at most MAX_TRADE_ROWS trades and says how many it left out', () => {
    const trades = Array.from({ length: MAX_TRADE_ROWS + 5 }, (_, i) => aTrade(i + 1));
    const many = renderHtmlReport(anInput({ trades }));
    expect(tbodyRows(many, 'trades')).toBe(MAX_TRADE_ROWS);
    expect(many).toContain('Showing the first 10,000 of 10,005 trades');
  });
});

describe('writeHtmlReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeflow-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the report, creating its folders', () => {
    const path = join(dir, 'a/b/report.html');
    writeHtmlReport(path, anInput());
    expect(readFileSync(path, 'utf8')).toBe(renderHtmlReport(anInput()));
  });

  it('reports an unwritable path as a storage error naming it', () => {
    writeFileSync(join(dir, 'file'), '');
    const path = join(dir, 'file/report.html');
    let thrown: unknown;
    try {
      writeHtmlReport(path, anInput());
    } catch (e) {
      thrown = e;
    }
    expect(isTradeflowError(thrown, 'TF_ERR_STORAGE')).toBe(true);
    expect((thrown as Error).message).toContain(path);
  });
});
