import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { launchChromium } from '../support/browser';
import { startTestServer, type TestServer } from '../support/test-server';
import { DEFINE, RECORD } from '../live/support/live';

/** The page's document, in functions that run in the browser. */
declare const document: { querySelector(s: string): ({ textContent: string | null } & Record<string, any>) | null };

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
const RESULT = '.graphiql-response .result-window';

let t: TestServer;
let acme: Tenant;
let secret: string;
let browser: Browser;
let page: Page;
/** Requests the page tried to make to any other host (all refused). */
const elsewhere: string[] = [];
const problems: string[] = [];

async function setEditor(selector: string, text: string): Promise<void> {
  await page.waitForSelector(selector);
  await page.evaluate(([s, value]) => document.querySelector(s)!.CodeMirror.setValue(value), [selector, text] as const);
}

/** Puts an operation in the query editor and waits until GraphiQL has taken its name (the tab shows it). */
async function setOperation(text: string, name: string): Promise<void> {
  await setEditor(QUERY_EDITOR, text);
  await page.waitForFunction((want) => document.querySelector('.graphiql-tab-active, .graphiql-tab')?.textContent?.includes(want), name, { timeout: 10_000 });
}

async function resultContains(text: string, timeout = 15_000): Promise<string> {
  try {
    await page.waitForFunction(([s, want]) => document.querySelector(s)?.textContent?.includes(want), [RESULT, text] as const, { timeout });
  } catch (e) {
    const shown = await page.$eval(RESULT, (el) => el.textContent).catch(() => '(no result window)');
    throw new Error(`the result window never showed '${text}'; it shows: ${shown} (page problems: ${problems.join(' | ')}): ${e}`);
  }
  return (await page.$eval(RESULT, (el) => el.textContent)) ?? '';
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await startTestServer();
  acme = await signUp(t, 'GraphiQL Org');
  await acme.client.data(DEFINE, { input: { key: 'visits', name: 'Visits', aggregation: 'SUM' } });
  secret = (await apiKey(acme, ['READ', 'INGEST'], 'graphiql')).secret;
  browser = await launchChromium();
  page = await browser.newPage();
  const own = new URL(t.url).host;
  // No internet: every request to another host is refused, so the page must bring all it needs.
  await page.route('**/*', (route) => {
    if (new URL(route.request().url()).host === own) return route.continue();
    elsewhere.push(route.request().url());
    return route.abort();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('GraphiQL at GET /graphql', () => {
  it('serves the page from its own files, with a CSP, to a browser; JSON clients still get GraphQL', async () => {
    const html = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const body = await html.text();
    expect(body).toContain('/graphiql/graphiql.js');
    expect(body).not.toMatch(/https?:\/\//);
    const json = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await json.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('loads with every other host blocked, runs a query with the header editor, and shows the answer', async () => {
    const res = await page.goto(`${t.url}/graphql`);
    expect(res?.status()).toBe(200);
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
    await setEditor(HEADERS_EDITOR, JSON.stringify({ authorization: `Bearer ${secret}` }));
    await setOperation('query Mine { viewer { scopes organization { name } } }', 'Mine');
    await page.click('button[aria-label^="Execute query"]');
    const shown = await resultContains('GraphiQL Org');
    expect(shown).toContain('INGEST');
    await page.screenshot({ path: join(ARTIFACTS, 'graphiql-query.png') });
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('runs a subscription over graphql-ws on the same path, with the same header', async () => {
    await setOperation('subscription Visits { metricUpdated(metricKey: "visits") { metricKey value } }', 'Visits');
    await page.click('button[aria-label^="Execute query"]');
    // Record until the subscription, once open, shows a point.
    const deadline = Date.now() + 15_000;
    for (let value = 101; ; value++) {
      await acme.client.data(RECORD, { points: [{ metricKey: 'visits', value, at: new Date().toISOString() }] });
      const shown = (await page.$eval(RESULT, (el) => el.textContent)) ?? '';
      if (/"value": 1\d\d/.test(shown)) {
        expect(shown).toContain('"metricKey": "visits"');
        break;
      }
      if (Date.now() > deadline) throw new Error(`no subscription result shown: ${shown} (${problems.join(' | ')})`);
      await page.waitForTimeout(200);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'graphiql-subscription.png') });
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });
});
