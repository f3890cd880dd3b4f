import { startTestServer, type TestServer } from '../support/test-server';

const TOKEN = 'metrics-token-of-sufficient-length';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ metricsToken: TOKEN, rateLimitPerMinute: 0 });
});
afterAll(() => t.close());

const post = (query: string, operationName?: string) =>
  fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, operationName }) });

const scrape = (authorization?: string) => fetch(`${t.url}/metrics`, { headers: authorization ? { authorization } : {} });

/** The distinct `operation` labels of the operations counter. */
function operationLabels(text: string): Set<string> {
  const labels = new Set<string>();
  for (const m of text.matchAll(/^rapport_graphql_operations_total\{operation="([^"]*)"/gm)) labels.add(m[1]);
  return labels;
}

describe('/metrics', () => {
  it('needs the METRICS_TOKEN when one is set', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('Bearer not-the-token-at-all-really')).status).toBe(401);
    expect((await scrape(TOKEN)).status).toBe(401);
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/rapport_db_pool_connections/);
  });

  it('stays bounded whatever operation names clients send: 500 names of at most 64 characters, the rest as other', async () => {
    const long = (i: number) => `Q${i}_${'x'.repeat(200)}`;
    for (let start = 0; start < 700; start += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, k) => start + k).map(async (i) => {
          const name = i % 7 === 0 ? long(i) : `Op${i}`;
          const res = await post(`query ${name} { __typename }`, name);
          expect(res.status).toBe(200);
        }),
      );
    }
    // A name the client gives that no operation of the document has is never a label.
    await post(`query Real { __typename }`, 'Invented');
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    const labels = operationLabels(text);
    expect(labels.size).toBeLessThanOrEqual(502); // 500 names, other, and the outcome of the invented one
    expect(labels.has('other')).toBe(true);
    expect(labels.has('Invented')).toBe(false);
    expect([...labels].every((l) => l.length <= 64)).toBe(true);
    const size = Buffer.byteLength(text);
    // Sending another 100 new names adds no series.
    for (let i = 0; i < 100; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => post(`query More${i + k} { __typename }`)));
    const after = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(operationLabels(after)).toEqual(labels);
    expect(Math.abs(Buffer.byteLength(after) - size)).toBeLessThan(2_000);
  }, 180_000);
});
