import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';
import { DEFINE, RECORD } from './support/live';
import { findChromium } from '../support/browser';

/** The page's globals, in functions that run in the browser. */
declare const document: any;
declare const getComputedStyle: any;

const CHROMIUM = findChromium() ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const HOUR = 3600_000;
const CREATE = `mutation ($input: CreateWidgetTokenInput!) { createWidgetToken(input: $input) { token widgetToken { id } } }`;
const REVOKE = `mutation ($id: ID!) { revokeWidgetToken(id: $id) { id } }`;

let t: TestServer;
let acme: Tenant;
let browser: Browser;
let site: Server;
let siteUrl: string;
let siteOrigin: string;
let modelId: string;
/** Page bodies the customer's site serves, by path. */
const pages = new Map<string, string>();

/** leads_won recorded so far (all of it inside the widgets' 7-day window). */
let leadsWon = 0;
const record = async (value: number, hoursAgo: number) => {
  await acme.client.data(RECORD, { points: [{ metricKey: 'leads_won', value, at: new Date(Date.now() - hoursAgo * HOUR).toISOString() }] });
  leadsWon += value;
};

async function widgetToken(input: Record<string, unknown> = {}): Promise<{ token: string; id: string }> {
  const data = await acme.client.data(CREATE, {
    input: { name: 'customer site', metricKeys: ['leads_won'], roiModelIds: [modelId], allowedOrigins: [siteOrigin], ...input },
  });
  return { token: data.createWidgetToken.token, id: data.createWidgetToken.widgetToken.id };
}

/** Serves `body` as a page of the customer's site (another origin than Rapport's) and returns its URL. */
function sitePage(path: string, body: string): string {
  pages.set(path, `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Customer</title></head><body style="font-family:sans-serif;margin:0;padding:12px">${body}
    <script src="${t.url}/widgets/embed.js" async></script></body></html>`);
  return `${siteUrl}${path.slice(1)}`;
}

/** Waits until the element's text is `text` (or matches it), and says what it was instead if it never is. */
async function textBecomes(page: Page, selector: string, text: string | RegExp, timeoutMs = 10_000): Promise<void> {
  const [source, flags] = typeof text === 'string' ? [null, ''] : [text.source, text.flags];
  try {
    await page.waitForFunction(
      ([s, want, src, fl]) => {
        const actual = document.querySelector(s)?.textContent?.trim() ?? '';
        return src === null ? actual === want : new RegExp(src, fl).test(actual);
      },
      [selector, typeof text === 'string' ? text : '', source, flags] as const,
      { timeout: timeoutMs },
    );
  } catch (e) {
    const actual = await page.$eval(selector, (el) => el.textContent).catch(() => '(missing)');
    const status = await page.$$eval('[data-role="status"]', (els) => els.map((el) => el.textContent)).catch(() => []);
    throw new Error(`${selector} is '${actual}', not '${text}' (status: ${JSON.stringify(status)}): ${e}`);
  }
}

/** Waits until every widget's chart has followed its box's width (ResizeObserver runs after layout). */
async function chartsFit(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.rapport-widget .rw-chart')].every((c: any) => !c.querySelector('canvas') || c.querySelector('.uplot').scrollWidth <= c.clientWidth),
  );
}

/** Elements (and the page) whose content is wider than their box. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const root = document.scrollingElement;
    if (root.scrollWidth > root.clientWidth) found.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
    for (const el of document.querySelectorAll('.rapport-widget, .rapport-widget *, #snippet')) {
      const style = getComputedStyle(el);
      if (style.display === 'none' || el.closest('[hidden]') || el.classList.contains('rw-sr')) continue;
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) found.push(`${el.className || el.tagName} ${el.scrollWidth} > ${el.clientWidth}`);
      const widget = el.closest('.rapport-widget');
      if (widget && widget !== el) {
        const r = el.getBoundingClientRect();
        const w = widget.getBoundingClientRect();
        if (r.width > 0 && (r.right > w.right + 1 || r.left < w.left - 1)) found.push(`${el.className || el.tagName} sticks out of its widget`);
      }
    }
    return found;
  });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await startTestServer();
  acme = await signUp(t, 'Acme');
  await acme.client.data(DEFINE, { input: { key: 'leads_won', name: 'Leads won', aggregation: 'SUM' } });
  await acme.client.data(DEFINE, { input: { key: 'revenue', name: 'Revenue', unit: 'USD', aggregation: 'SUM' } });
  const model = await acme.client.data(`mutation ($input: CreateRoiModelInput!) { createRoiModel(input: $input) { id } }`, {
    input: { name: 'Lead value', returnFormula: 'leads_won * 10', investmentFormula: 'budget', parameters: [{ name: 'budget', value: 100 }] },
  });
  modelId = model.createRoiModel.id;
  await acme.client.data(RECORD, { points: [{ metricKey: 'leads_won', value: 4, at: new Date(Date.now() - 8 * 24 * HOUR).toISOString() }] });
  await record(2, 30);
  await record(3, 5);
  // A customer's own site, on another origin, embedding the widgets.
  site = createServer((req, res) => {
    const body = pages.get(new URL(req.url ?? '/', 'http://x').pathname);
    res.statusCode = body ? 200 : 404;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  siteUrl = `${siteOrigin}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => site?.close(r));
  await t?.close();
});

describe('the widget files', () => {
  it('serves the page and its scripts, uPlot included', async () => {
    for (const [path, type] of [
      ['/widgets', 'text/html'],
      ['/widgets/embed.js', 'text/javascript'],
      ['/widgets/widget.js', 'text/javascript'],
      ['/widgets/widget-format.js', 'text/javascript'],
      ['/widgets/builder.js', 'text/javascript'],
      ['/widgets/vendor/uPlot.esm.js', 'text/javascript'],
      ['/widgets/vendor/uPlot.min.css', 'text/css'],
    ]) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      // Read every body: an unread one keeps its connection (and Jest's worker) open.
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    for (const missing of ['/widgets/../package.json', '/widgets/nope.js']) {
      const res = await fetch(`${t.url}${missing}`);
      expect(res.status).toBe(404);
      await res.arrayBuffer();
    }
  });

  it('explains windows and figures in words (the widget’s own helpers, in the browser)', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/widgets`);
    // A string, so that the TypeScript compiler leaves the dynamic import() to the browser.
    const out = await page.evaluate(`(async () => {
      const f = await import('${t.url}/widgets/widget-format.js');
      const now = Date.parse('2026-11-30T12:00:00Z');
      const attempt = (o) => { try { return f.windowOf(o, now).interval; } catch (e) { return e.message; } };
      return {
        intervals: ['24h', '7d', '30d', '90d', '12m'].map((w) => f.windowOf({ window: w }, now).interval),
        fixed: f.windowOf({ from: '2026-01-01', to: '2026-02-01', interval: 'week' }, now).interval,
        badWindow: attempt({ window: '2w' }),
        badDate: attempt({ from: 'yesterday' }),
        tooMany: attempt({ window: '12m', interval: 'hour' }),
        values: [f.formatValue(1234.5), f.formatValue(0.256, { percent: true }), f.formatValue(12, { unit: 'USD' }), f.formatValue(null)],
        avg: f.aggregate([{ value: 2, count: 1 }, { value: null, count: 0 }, { value: 4, count: 3 }], 'AVG'),
        up: f.comparison(12, 10, { words: 'the previous 7 days' }).text,
        roiDown: f.comparison(0.1, 0.25, { percent: true, words: 'the previous 7 days' }).text,
        revoked: f.explain({ code: 4403, reason: 'Forbidden: the credential was revoked' }, 'x'),
      };
    })()`);
    expect(out).toEqual({
      intervals: ['HOUR', 'DAY', 'DAY', 'WEEK', 'MONTH'],
      fixed: 'WEEK',
      badWindow: expect.stringMatching(/^data-window="2w" is not a window this widget knows: use 24h, 7d, 30d, 90d or 12m/),
      badDate: expect.stringMatching(/^data-from="yesterday" is not a date/),
      tooMany: expect.stringMatching(/too many points for this window/),
      values: ['1,235', '25.6 %', '12 USD', '–'],
      avg: 3.5,
      up: '▲ 20 % vs the previous 7 days (10)',
      roiDown: '▼ 15 percentage points vs the previous 7 days (25 %)',
      revoked: expect.stringMatching(/^This widget’s token was revoked/),
    });
    await page.close();
  });
});

describe('a widget on a customer’s page, with a widget token', () => {
  let token: { token: string; id: string };
  let url: string;
  beforeAll(async () => {
    token = await widgetToken();
    url = sitePage(
      '/live',
      `<h3>Our community, live</h3>
      <div id="leads" data-rapport-widget data-metric="leads_won" data-label="Leads won" data-unit="leads" data-window="7d" data-token="${token.token}"></div>
      <div id="roi" data-rapport-widget data-model="${modelId}" data-label="Return on relationships" data-window="7d" data-token="${token.token}" style="margin-top:12px"></div>`,
    );
  });

  it('shows a labelled figure with its unit and comparison, and follows writes live (metric and ROI)', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    const leads = '#leads [data-role="headline"]';
    const roi = '#roi [data-role="headline"]';
    // roi = (leads_won * 10 - 100) / 100, shown in %
    await textBecomes(page, leads, String(leadsWon));
    await textBecomes(page, roi, `${leadsWon * 10 - 100} %`);
    expect(await page.textContent('#leads [data-role="unit"]')).toBe('leads');
    expect(await page.textContent('#leads [data-role="title"]')).toBe('Leads won');
    expect(await page.textContent('#leads [data-role="period"]')).toBe('last 7 days');
    // 4 leads in the 7 days before: 5 now is 25 % more.
    await textBecomes(page, '#leads [data-role="compare"]', '▲ 25 % vs the previous 7 days (4)');
    await textBecomes(page, '#leads [data-role="alt"]', 'Leads won over the last 7 days: 5 leads, up 25 % vs the previous 7 days (4).');
    expect(await page.textContent('#roi [data-role="caption"]')).toMatch(/ROI over the last 7 days; the chart shows the ROI of each day, in %/);
    await record(7, 1);
    await textBecomes(page, leads, String(leadsWon));
    await textBecomes(page, roi, `${leadsWon * 10 - 100} %`);
    await page.waitForSelector('#roi [data-role="chart"] canvas');
    await page.waitForFunction(() => document.querySelector('#leads')?.getAttribute('data-state') === 'live');
    // A tooltip with the date and the value of the point under the pointer.
    const box = (await page.locator('#leads .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    await textBecomes(page, '#leads [data-role="tip"]', /^\w{3}, \w{3} \d+, \d{4}: \d+ leads$/);
    await page.screenshot({ path: join(ARTIFACTS, 'widget-embed.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each([320, 768, 1280])('fits a %i px wide page: nothing overflows', async (width) => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto(url);
    await textBecomes(page, '#roi [data-role="headline"]', `${leadsWon * 10 - 100} %`);
    await page.waitForSelector('#leads [data-role="chart"] canvas');
    await chartsFit(page);
    expect(await overflowing(page)).toEqual([]);
    const sizes = await page.evaluate(() => [...document.querySelectorAll('.rapport-widget')].map((w: any) => [w.clientWidth, w.querySelector('canvas').getBoundingClientRect().width]));
    for (const [widget, canvas] of sizes) expect(canvas).toBeLessThanOrEqual(widget);
    await page.screenshot({ path: join(ARTIFACTS, `widget-${width}.png`), fullPage: true });
    await page.close();
  });

  it('follows its container when the page is resized (ResizeObserver)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('#leads [data-role="chart"] canvas');
    const wide = await page.evaluate(() => document.querySelector('#leads canvas').getBoundingClientRect().width);
    await page.setViewportSize({ width: 360, height: 900 });
    await page.waitForFunction(() => document.querySelector('#leads canvas').getBoundingClientRect().width <= 360);
    const narrow = await page.evaluate(() => document.querySelector('#leads canvas').getBoundingClientRect().width);
    expect(wide).toBeGreaterThan(1000);
    expect(narrow).toBeLessThan(360);
    expect(await overflowing(page)).toEqual([]);
    await page.close();
  });

  it('takes the dark theme and the page’s own colours', async () => {
    const dark = sitePage(
      '/dark',
      `<div style="background:#020617;padding:12px"><div id="w" data-rapport-widget data-model="${modelId}" data-theme="dark" data-window="30d" data-token="${token.token}"></div></div>
      <div id="own" data-rapport-widget data-metric="leads_won" data-token="${token.token}" style="--rapport-bg:#fef3c7;--rapport-accent:#b45309;margin-top:12px"></div>`,
    );
    const page = await browser.newPage({ viewport: { width: 700, height: 900 } });
    await page.goto(dark);
    await textBecomes(page, '#w [data-role="headline"]', /%$/);
    await textBecomes(page, '#own [data-role="headline"]', String(leadsWon));
    const colours = await page.evaluate(() => ({
      darkBg: getComputedStyle(document.querySelector('#w')).backgroundColor,
      darkFg: getComputedStyle(document.querySelector('#w')).color,
      ownBg: getComputedStyle(document.querySelector('#own')).backgroundColor,
    }));
    expect(colours).toEqual({ darkBg: 'rgb(15, 23, 42)', darkFg: 'rgb(226, 232, 240)', ownBg: 'rgb(254, 243, 199)' });
    expect(await page.textContent('#w [data-role="period"]')).toBe('last 30 days');
    await page.screenshot({ path: join(ARTIFACTS, 'widget-dark.png'), fullPage: true });
    await page.close();
  });

  it('shows a sentence when its token is revoked, at once, and when a page loads with a revoked token', async () => {
    const doomed = await widgetToken();
    const revokedUrl = sitePage('/revoked', `<div id="w" data-rapport-widget data-metric="leads_won" data-token="${doomed.token}"></div>`);
    const page = await browser.newPage({ viewport: { width: 600, height: 600 } });
    await page.goto(revokedUrl);
    await page.waitForFunction(() => document.querySelector('#w')?.getAttribute('data-state') === 'live');
    await acme.client.data(REVOKE, { id: doomed.id });
    await textBecomes(page, '#w [data-role="status"]', /^This widget’s token was revoked, so the figure is no longer updated\. Make a new snippet/, 3_000);
    expect(await page.getAttribute('#w', 'data-state')).toBe('error');
    await page.screenshot({ path: join(ARTIFACTS, 'widget-revoked.png'), fullPage: true });
    await page.reload();
    await textBecomes(page, '#w [data-role="status"]', /^This widget’s token is not valid: it was revoked, has expired or was copied incompletely\./);
    await page.close();
  });

  it('says so in a sentence on a site the token does not list, and for settings it cannot use', async () => {
    const other = await widgetToken({ allowedOrigins: ['https://www.example.com'] });
    const wrong = sitePage(
      '/wrong',
      `<div id="origin" data-rapport-widget data-metric="leads_won" data-token="${other.token}"></div>
      <div id="metric" data-rapport-widget data-metric="revenue" data-token="${token.token}"></div>
      <div id="window" data-rapport-widget data-metric="leads_won" data-window="2w" data-token="${token.token}"></div>
      <div id="none" data-rapport-widget data-metric="leads_won"></div>`,
    );
    const page = await browser.newPage({ viewport: { width: 600, height: 900 } });
    await page.goto(wrong);
    await textBecomes(page, '#origin [data-role="status"]', `This widget’s token may not be used on ${siteOrigin}: add this site’s address to the token’s allowed origins, or make a new snippet for this site.`);
    await textBecomes(page, '#metric [data-role="status"]', 'This widget’s token may not read the metric “revenue”: make a new snippet for it on your Rapport widgets page.');
    await textBecomes(page, '#window [data-role="status"]', /^data-window="2w" is not a window this widget knows/);
    await textBecomes(page, '#none [data-role="status"]', /^This widget needs a token/);
    await page.screenshot({ path: join(ARTIFACTS, 'widget-errors.png'), fullPage: true });
    await page.close();
  });
});

describe('the /widgets page', () => {
  it('builds a token snippet that reacts on input and does not overflow; pasted into a page, it shows the figure live', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.url}/widgets`);
    await page.locator('#credential').pressSequentially(acme.token.slice(0, 20));
    await page.locator('#credential').fill(acme.token); // `input` events only: no change, no blur
    await page.waitForSelector('#what:not([disabled]) option[value="metric:leads_won"]', { state: 'attached' });
    await page.selectOption('#what', 'metric:leads_won');
    await page.locator('#origin').fill(siteOrigin);
    await textBecomes(page, '#snippet', /data-metric="leads_won" data-window="7d" data-theme="light" data-label="Leads won" data-aggregation="SUM" data-token="press “Make the snippet”"/);
    await page.locator('#label').fill('Leads this week');
    await textBecomes(page, '#snippet', /data-label="Leads this week"/);
    await textBecomes(page, '#preview [data-role="headline"]', String(leadsWon));
    await page.click('#make');
    await textBecomes(page, '#snippet', /data-token="rrw_[A-Za-z0-9_-]{43}"/);
    await page.selectOption('#window', '30d');
    await textBecomes(page, '#snippet', /data-window="30d"[^\n]*data-token="rrw_/);
    const snippet = (await page.textContent('#snippet'))!;
    await chartsFit(page);
    expect(await overflowing(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'widgets-page.png'), fullPage: true });
    await page.setViewportSize({ width: 320, height: 1400 });
    await chartsFit(page);
    expect(await overflowing(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'widgets-page-320.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();

    // The page owner pastes it into a public page.
    const pasted = await browser.newPage({ viewport: { width: 700, height: 700 } });
    await pasted.goto(sitePage('/pasted', `<div id="box">${snippet.replace(/<script[^]*$/, '')}</div>`));
    // 30 days: the 4 leads of 8 days ago count too.
    await textBecomes(pasted, '[data-rapport-widget] [data-role="headline"]', String(leadsWon + 4));
    expect(await pasted.textContent('[data-rapport-widget] [data-role="title"]')).toBe('Leads this week');
    await record(30, 0.5);
    await textBecomes(pasted, '[data-rapport-widget] [data-role="headline"]', String(leadsWon + 4));
    await pasted.screenshot({ path: join(ARTIFACTS, 'widget-pasted.png'), fullPage: true });
    await pasted.close();
  });
});
