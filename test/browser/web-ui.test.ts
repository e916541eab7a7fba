import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTickers, synthetic } from '../../src/api/app.fixture.ts';
import { buildApp, type TradeflowApp } from '../../src/api/app.ts';
import { WallClock } from '../../src/core/clock.ts';
import { SCREENERS } from '../../src/screener/registry.ts';
import { ROOT } from '../helpers.ts';
import { slowBreakout } from './slow-breakout.fixture.ts';

// The web UI in Debian's Chromium (driven by playwright-core, which downloads no browser), against the
// app listening on loopback in this process. Every wait is bounded. Without /usr/bin/chromium the tests
// skip outside CI; in CI they must run (.ci/run installs chromium).

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env['CI']) {
  throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium, see .ci/run)`);
}
if (!hasChromium) {
  console.warn(`skipping the browser tests: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

const ARTIFACTS = join(ROOT, 'test-artifacts');
const WAIT = { timeout: 15_000 };

let browser: Browser | undefined;
const apps: TradeflowApp[] = [];

async function serve(token?: string): Promise<string> {
  const app = buildApp({
    db: ':memory:',
    tickerSource: testTickers(),
    clock: new WallClock(),
    screeners: { ...SCREENERS, slow_breakout: slowBreakout },
    ...(token === undefined ? {} : { token }),
  });
  apps.push(app);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

beforeAll(async () => {
  if (!hasChromium) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
});

afterAll(async () => {
  await browser?.close();
  for (const app of apps) await app.close();
});

/** Opens a page that fails the test on any request that leaves the server under test. */
async function openPage(base: string): Promise<{ page: Page; outside: string[]; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  const outside: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) outside.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, outside, errors };
}

/** Starts a screen from the form; answers its run id (the newest row). */
async function startScreen(page: Page, strategy: string, tickers: readonly string[]): Promise<string> {
  const before = await page.locator('#runs-body tr[data-run-id]').count();
  await page.selectOption('#screen-strategy', strategy);
  await page.fill('#screen-tickers', tickers.join(', '));
  await page.fill('#screen-parameters', '{}');
  await page.click('#screen-start');
  await expect.poll(() => page.locator('#runs-body tr[data-run-id]').count(), WAIT).toBe(before + 1);
  const id = await page.locator('#runs-body tr[data-run-id]').first().getAttribute('data-run-id');
  expect(id).toBeTruthy();
  return id!;
}

const row = (page: Page, id: string) => page.locator(`#runs-body tr[data-run-id="${id}"]`);

describe.skipIf(!hasChromium)('web UI in Chromium', () => {
  it('starts a screen, follows its progress to 100 %, sorts and filters its results, cancels a second run', async () => {
    const base = await serve();
    const { page, outside, errors } = await openPage(base);
    await page.goto(`${base}/`, { timeout: 15_000 });
    await expect
      .poll(() => page.locator('#screen-strategy option').allTextContents(), WAIT)
      .toContain('bullish_breakout');

    // A screen of 60 tickers: its bar goes to 100 % and its status to completed, by polling.
    const tickers = ['ORCL', 'NVDA', 'YHOO', ...synthetic(57)];
    const id = await startScreen(page, 'slow_breakout', tickers);
    const r1 = row(page, id);
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const v = await r1.locator('[role=progressbar]').getAttribute('aria-valuenow');
          if (v !== null) seen.add(v);
          return v;
        },
        { timeout: 20_000, interval: 50 },
      )
      .toBe('100');
    await expect.poll(() => r1.getAttribute('data-status'), WAIT).toBe('completed');
    expect(seen.size).toBeGreaterThan(1); // the bar moved through intermediate values
    await expect.poll(() => r1.locator('.bar .label').textContent(), WAIT).toBe('100 %');
    expect(await r1.locator('button.cancel').count()).toBe(0);

    // Its results: every ticker in order; Score sorts both ways; the filter narrows the rows.
    await r1.locator('a.run-link').click();
    await page.waitForSelector('#results tbody tr', WAIT);
    const tickerCol = () => page.locator('#results tbody tr td:nth-child(2)').allTextContents();
    expect(await tickerCol()).toEqual(tickers);
    const scores = async () =>
      (await page.locator('#results tbody tr td:nth-child(5)').allTextContents()).map(Number);
    await page.click('#results th[data-key=score]');
    const asc = await scores();
    expect(asc).toHaveLength(tickers.length);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    expect(asc[0]).toBeLessThan(asc[asc.length - 1]!);
    expect(await page.getAttribute('#results th[data-key=score]', 'aria-sort')).toBe('ascending');
    await page.click('#results th[data-key=score]');
    const desc = await scores();
    expect(desc).toEqual([...asc].reverse());
    await page.click('#results th[data-key=ticker]');
    expect(await tickerCol()).toEqual([...tickers].sort());

    await page.fill('#results-filter', 'nvda');
    await expect.poll(tickerCol, WAIT).toEqual(['NVDA']);
    expect(await page.textContent('#results-count')).toBe(`1 of ${tickers.length} tickers`);
    await page.fill('#results-filter', 'SYN000');
    await expect.poll(async () => (await tickerCol()).length, WAIT).toBe(9);
    await page.fill('#results-filter', '');
    await expect.poll(async () => (await tickerCol()).length, WAIT).toBe(tickers.length);
    await page.click('#results th[data-key=score]');
    await page.click('#results th[data-key=score]');

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'results.png');
    await page.screenshot({ path: shot, fullPage: true, timeout: 15_000 });
    expect(statSync(shot).size).toBeGreaterThan(10_000);

    // A second, slow screen of 400 tickers (~10 s): cancelled from its row while it runs.
    await page.click('a.brand');
    await page.waitForSelector('#runs-body tr[data-run-id]', WAIT);
    const slow = await startScreen(page, 'slow_breakout', synthetic(400));
    const r2 = row(page, slow);
    await expect
      .poll(async () => Number(await r2.locator('[role=progressbar]').getAttribute('aria-valuenow')), WAIT)
      .toBeGreaterThan(0);
    await r2.locator('button.cancel').click();
    await expect.poll(() => r2.getAttribute('data-status'), WAIT).toBe('cancelled');
    const pct = Number(await r2.locator('[role=progressbar]').getAttribute('aria-valuenow'));
    expect(pct).toBeLessThan(100);
    const api = (await (await fetch(`${base}/api/strategies/runs/${slow}/progress`)).json()) as {
      status: string;
      completed: number;
    };
    expect(api.status).toBe('cancelled');
    expect(api.completed).toBeLessThan(400);

    // A reload keeps both runs (progress lives in the database).
    await page.reload({ timeout: 15_000 });
    await expect.poll(() => row(page, id).getAttribute('data-status'), WAIT).toBe('completed');
    await expect.poll(() => row(page, slow).getAttribute('data-status'), WAIT).toBe('cancelled');

    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('runs a backtest from the prefilled form and shows its final value, charts and trades', async () => {
    const base = await serve();
    const { page, outside, errors } = await openPage(base);
    await page.goto(`${base}/`, { timeout: 15_000 });
    await page.waitForSelector('#backtest-config', WAIT);
    await page.click('#backtest-start');
    await page.waitForSelector('#runs-body tr[data-run-id]', WAIT);
    const r = page.locator('#runs-body tr[data-run-id]').first();
    await expect.poll(() => r.getAttribute('data-status'), { timeout: 30_000 }).toBe('completed');
    await r.locator('a.run-link').click();
    await page.waitForSelector('#final-value', WAIT);
    expect(await page.textContent('#final-value')).toMatch(/^\d{1,3}(,\d{3})*\.\d{2}$/);
    expect(await page.locator('#equity-chart polyline').count()).toBe(1);
    expect(await page.locator('#drawdown-chart polygon').count()).toBe(1);
    expect(await page.locator('#trades tbody tr').count()).toBeGreaterThan(10);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'backtest.png'), fullPage: false, timeout: 15_000 });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('lists the newest 50 runs and shows the older ones a page at a time', async () => {
    const base = await serve();
    // 57 one-ticker screens, answered when complete.
    const started: string[] = [];
    for (let i = 0; i < 57; i++) {
      const res = await fetch(`${base}/api/strategies/execute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ strategy: 'bullish_breakout', tickers: synthetic(1, i + 1), parameters: {} }),
      });
      expect(res.status).toBe(200);
      started.push(((await res.json()) as { run_id: string }).run_id);
    }
    const { page, errors } = await openPage(base);
    await page.goto(`${base}/`, { timeout: 15_000 });
    const rows = page.locator('#runs-body tr[data-run-id]');
    await expect.poll(() => rows.count(), WAIT).toBe(50);
    const more = page.locator('#runs-more');
    expect(await more.textContent()).toBe('Show 7 more (50 of 57 runs shown)');
    await more.click();
    await expect.poll(() => rows.count(), WAIT).toBe(57);
    expect(await more.isHidden()).toBe(true);
    // Every run once, newest first.
    const ids = await Promise.all(started.map((_, i) => rows.nth(i).getAttribute('data-run-id')));
    expect(ids).toEqual([...started].reverse());
    expect(errors).toEqual([]);
    await page.close();
  });

  it('with a token: serves the page, reads ?token= and sends it as a bearer token', async () => {
    const token = 'browser-token-0123456789abcdef';
    const base = await serve(token);
    expect((await fetch(`${base}/api/strategies/runs`)).status).toBe(401);
    expect((await fetch(`${base}/`)).status).toBe(200);
    const { page, errors } = await openPage(base);
    await page.goto(`${base}/?token=${token}`, { timeout: 15_000 });
    await expect.poll(() => page.locator('#screen-strategy option').count(), WAIT).toBeGreaterThan(0);
    await startScreen(page, 'bullish_breakout', ['ORCL']);
    await expect
      .poll(() => page.locator('#runs-body tr[data-run-id]').first().getAttribute('data-status'), WAIT)
      .toBe('completed');
    expect(await page.textContent('#status-line')).toBe('');
    expect(errors).toEqual([]);
    await page.close();
  });
});
