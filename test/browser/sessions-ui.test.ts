import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTickers } from '../../src/api/app.fixture.ts';
import { buildApp, type TradeflowApp } from '../../src/api/app.ts';
import { WallClock } from '../../src/core/clock.ts';

// The web UI's sessions pages in Debian's Chromium, against the app listening on loopback in this process:
// a replay session started from the form, watched trading, paused, resumed and stopped with the buttons.
// Every wait is bounded. Without /usr/bin/chromium the test skips outside CI (see web-ui.test.ts).

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env['CI']) {
  throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium, see .ci/run)`);
}

const WAIT = { timeout: 30_000 };
let browser: Browser | undefined;
let app: TradeflowApp | undefined;

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
  await app?.close();
});

const fillCount = async (page: Page) => Number(await page.textContent('#session-fill-count'));
const statusOf = (page: Page) => page.getAttribute('#session-status', 'data-status');

describe.skipIf(!hasChromium)('sessions in the web UI', () => {
  it('starts a replay from the form, shows its fills, pauses, resumes and stops it with the buttons', async () => {
    app = buildApp({ db: ':memory:', tickerSource: testTickers(), clock: new WallClock() });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(30_000);
    const errors: string[] = [];
    const outside: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(base)) outside.push(r.url());
    });
    await page.goto(`${base}/`, { timeout: 15_000 });
    await page.click('#nav-sessions');
    await page.waitForSelector('#session-form', WAIT);
    await page.selectOption('#session-file', 'config/examples/intraday-etfs.json');
    await page.fill('#session-speed', '600000');
    await page.click('#session-start');

    // The session's page: it runs, and fills appear by polling.
    await page.waitForSelector('#session-status', WAIT);
    await expect.poll(() => statusOf(page), WAIT).toBe('running');
    await expect.poll(() => page.locator('#session-fills tbody tr').count(), WAIT).toBeGreaterThan(1);
    expect(await page.locator('#session-strategies tbody tr').count()).toBe(2);

    // Pause: the status says so, and once the step in hand is done no fill comes.
    await page.click('#session-pause');
    await expect.poll(() => statusOf(page), WAIT).toBe('paused');
    expect(await page.isDisabled('#session-pause')).toBe(true);
    let settled = -1;
    await expect
      .poll(
        async () => {
          const n = await fillCount(page);
          const same = n === settled;
          settled = n;
          return same;
        },
        { timeout: 15_000, interval: 1500 },
      )
      .toBe(true);
    await page.waitForTimeout(1500);
    expect(await fillCount(page)).toBe(settled);

    // One strategy paused and resumed from its row.
    const vwap = page.locator('#session-strategies tr[data-strategy="vwap"]');
    await page.click('#session-resume');
    await expect.poll(() => statusOf(page), WAIT).toBe('running');
    await expect.poll(() => fillCount(page), WAIT).toBeGreaterThan(settled);
    await vwap.locator('button.strategy-pause').click();
    await expect.poll(() => vwap.getAttribute('data-status'), WAIT).toBe('paused');
    await vwap.locator('button.strategy-resume').click();
    await expect.poll(() => vwap.getAttribute('data-status'), WAIT).toBe('running');

    // Stop: cancelled, the buttons off, and the sessions list says the same.
    await page.click('#session-stop');
    await expect.poll(() => statusOf(page), WAIT).toBe('cancelled');
    expect(await page.isDisabled('#session-stop')).toBe(true);
    await page.click('#nav-sessions');
    await expect
      .poll(
        () => page.locator('#sessions-body tr[data-session-id]').first().getAttribute('data-status'),
        WAIT,
      )
      .toBe('cancelled');
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 120_000);
});
