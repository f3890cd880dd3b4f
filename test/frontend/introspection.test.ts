import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { buildClientSchema, getIntrospectionQuery, printSchema, type IntrospectionQuery } from 'graphql';
import { startTestServer, type TestServer } from '../support/test-server';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const EVERY_OPTION = {
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
};

describe('introspection', () => {
  it("answers graphql-js's getIntrospectionQuery() with every option on, with data, without a credential", async () => {
    const res = await t.client().request<IntrospectionQuery>(getIntrospectionQuery(EVERY_OPTION));
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    const schema = buildClientSchema(res.data!);
    expect(schema.getQueryType()?.getFields().viewer).toBeDefined();
    expect(schema.getSubscriptionType()?.getFields().metricUpdated).toBeDefined();
    expect(printSchema(schema)).toContain('type PageInfo');
  });

  it('still bounds introspection: lists nested in lists of the schema are refused', async () => {
    const e = await t.client().error(`{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`);
    expect(e.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(e.message).toMatch(/introspection depth/i);
  });

  it('lets GraphQL Code Generator load the schema from the live URL and generate typed operations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-codegen-'));
    const documents = join(dir, 'viewer.graphql');
    writeFileSync(documents, 'query Viewer { viewer { scopes organization { id name } } }\n');
    const files = (await generate(
      {
        schema: `${t.url}/graphql`,
        documents,
        silent: true,
        generates: {
          [join(dir, 'graphql.ts')]: {
            plugins: ['typescript', 'typescript-operations'],
            config: { scalars: { DateTime: 'string' } },
          },
        },
      },
      false,
    )) as Array<{ filename: string; content: string }>;
    expect(files).toHaveLength(1);
    const out = files[0].content;
    expect(out).toMatch(/export type Query = \{/);
    expect(out).toMatch(/DateTime: \{ input: string; output: string; \}/);
    expect(out).toMatch(/export type ViewerQuery = \{/);
    expect(out).toMatch(/export enum ApiKeyScope \{[^}]*Read = 'READ'/);
  });
});

describe('CORS', () => {
  let cors: TestServer;
  const APP = 'http://localhost:5173';
  beforeAll(async () => {
    cors = await startTestServer({ corsOrigins: [APP, 'https://app.example.com'] });
  });
  afterAll(() => cors.close());

  const preflight = (origin: string) =>
    fetch(`${cors.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-api-key' },
    });

  it('answers a preflight from a listed origin with 204, echoing it and allowing the three headers', async () => {
    const res = await preflight(APP);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-headers')?.split(/,\s*/).sort()).toEqual(['authorization', 'content-type', 'x-api-key']);
    expect(res.headers.get('vary')).toMatch(/origin/i);
  });

  it('gives another origin no access-control-allow-origin, on preflights and answers', async () => {
    expect((await preflight('https://evil.example.com')).headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${cors.url}/graphql`, {
      method: 'POST',
      headers: { origin: 'https://evil.example.com', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight(APP)).headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('lets a listed origin post JSON and read the answer and its request id', async () => {
    const res = await fetch(`${cors.url}/graphql`, {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('keeps CSRF prevention: a simple cross-site request (text/plain, GET without a header) is refused before it runs', async () => {
    const simple = await fetch(`${cors.url}/graphql`, {
      method: 'POST',
      headers: { origin: 'https://evil.example.com', 'content-type': 'text/plain' },
      body: JSON.stringify({ query: 'mutation { logIn(input: {email: "a@b.c", password: "x", organizationSlug: "x"}) { token } }' }),
    });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF/);
    const get = await fetch(`${cors.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { origin: 'https://evil.example.com' } });
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF/);
  });

  it('sends no CORS headers at all when CORS_ORIGINS is empty (the default)', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
