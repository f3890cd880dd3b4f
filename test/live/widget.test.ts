import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { DEFINE, RECORD } from './support/live';
import { findChromium } from '../support/browser';

/** The page's document, in functions that run in the browser. */
declare const document: { querySelector(s: string): { textContent: string | null; getAttribute(n: string): string | null } | null };

const CHROMIUM = findChromium() ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

let t: TestServer;
let acme: Tenant;
let read: string;
let browser: Browser;
let customerSite: Server;
let customerUrl: string;
let modelId: string;

const HOUR = 3600_000;
/** leads_won recorded so far (all of it inside the widgets' 7-day window). */
let leadsWon = 0;
const record = async (value: number, hoursAgo: number) => {
  await acme.client.data(RECORD, { points: [{ metricKey: 'leads_won', value, at: new Date(Date.now() - hoursAgo * HOUR).toISOString() }] });
  leadsWon += value;
};

/** Waits until the element's text is `text`, and says what it was instead if it never is. */
async function textBecomes(page: Page, selector: string, text: string, timeoutMs = 10_000): Promise<void> {
  try {
    await page.waitForFunction(([s, want]) => document.querySelector(s)?.textContent?.trim() === want, [selector, text] as const, { timeout: timeoutMs });
  } catch (e) {
    const actual = await page.$eval(selector, (el) => el.textContent).catch(() => '(missing)');
    const status = await page.$$eval('[data-role="status"]', (els) => els.map((el) => el.textContent)).catch(() => []);
    throw new Error(`${selector} is '${actual}', not '${text}' (status: ${JSON.stringify(status)}): ${e}`);
  }
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  await acme.client.data(DEFINE, { input: { key: 'leads_won', name: 'Leads won', aggregation: 'SUM' } });
  const model = await acme.client.data(`mutation ($input: CreateRoiModelInput!) { createRoiModel(input: $input) { id } }`, {
    input: { name: 'Lead value', returnFormula: 'leads_won * 10', investmentFormula: 'budget', parameters: [{ name: 'budget', value: 100 }] },
  });
  modelId = model.createRoiModel.id;
  read = (await apiKey(acme, ['READ'], 'widget')).secret;
  await record(2, 30);
  await record(3, 5);
  // A customer's own site, on another origin, embedding the widgets.
  customerSite = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html><head><title>Customer</title></head><body style="font-family:sans-serif;padding:16px">
      <h3>Our community, live</h3>
      <div id="leads" data-rapport-widget data-metric="leads_won" data-window="7d" data-key="${read}"></div>
      <div id="roi" data-rapport-widget data-model="${modelId}" data-window="7d" data-key="${read}" style="margin-top:12px"></div>
      <script src="${t.url}/widgets/embed.js" async></script></body></html>`);
  });
  await new Promise<void>((r) => customerSite.listen(0, '127.0.0.1', r));
  customerUrl = `http://127.0.0.1:${(customerSite.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => customerSite?.close(r));
  await t?.close();
});

describe('the widget page', () => {
  it('serves the page and its scripts, uPlot included', async () => {
    for (const [path, type] of [
      ['/widgets', 'text/html'],
      ['/widgets/embed.js', 'text/javascript'],
      ['/widgets/widget.js', 'text/javascript'],
      ['/widgets/vendor/uPlot.esm.js', 'text/javascript'],
      ['/widgets/vendor/uPlot.min.css', 'text/css'],
    ]) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
    }
    expect((await fetch(`${t.url}/widgets/../package.json`)).status).toBe(404);
    expect((await fetch(`${t.url}/widgets/nope.js`)).status).toBe(404);
  });

  it('shows a metric whose headline follows writes live, in a real browser', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.url}/widgets`);
    await page.fill('#key', read);
    await page.locator('#key').dispatchEvent('change');
    await page.waitForSelector('#what:not([disabled]) option[value="metric:leads_won"]', { state: 'attached' });
    await page.selectOption('#what', 'metric:leads_won');
    await page.selectOption('#window', '7d');
    await page.click('#show');
    await textBecomes(page, '#widget [data-role="headline"]', '5');
    await page.waitForSelector('#widget [data-role="chart"] canvas');
    await page.waitForFunction(() => document.querySelector('#widget')?.getAttribute('data-state') === 'live');
    await record(7, 1);
    await textBecomes(page, '#widget [data-role="headline"]', '12');
    await record(30, 0.5);
    await textBecomes(page, '#widget [data-role="headline"]', '42');
    await page.screenshot({ path: join(ARTIFACTS, 'widget-page.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses a key that is not accepted', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/widgets`);
    await page.fill('#key', `rr_${'x'.repeat(43)}`);
    await page.locator('#key').dispatchEvent('change');
    await textBecomes(page, '#note', 'This key was not accepted.');
    await page.close();
  });
});

describe('the embeddable widget', () => {
  it('renders in a customer’s page on another origin and updates live (metric and ROI)', async () => {
    const page = await browser.newPage({ viewport: { width: 700, height: 700 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(customerUrl);
    const leads = '#leads [data-role="headline"]';
    const roi = '#roi [data-role="headline"]';
    // roi = (leads_won * 10 - 100) / 100, shown in %
    await textBecomes(page, leads, String(leadsWon));
    await textBecomes(page, roi, `${leadsWon * 10 - 100} %`);
    await record(8, 2);
    await textBecomes(page, leads, String(leadsWon));
    await textBecomes(page, roi, `${leadsWon * 10 - 100} %`);
    await page.waitForSelector('#roi [data-role="chart"] canvas');
    await page.screenshot({ path: join(ARTIFACTS, 'widget-embed.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
