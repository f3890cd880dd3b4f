import { createHash } from 'node:crypto';
import { apiKey, signUp, PASSWORD, type Tenant } from '../support/builders';
import { CaptureLogger } from '../support/capture-logger';
import { startTestServer, type TestServer } from '../support/test-server';
import { LiveClient, type Subscription } from '../live/support/live';

/**
 * Client mistakes: never INTERNAL_SERVER_ERROR, never an HTTP 5xx, never an error-level log line.
 * Each case is sent as a client would send it, over HTTP (and WebSocket where it applies).
 */
const logger = new CaptureLogger();
let t: TestServer;
let acme: Tenant;

beforeAll(async () => {
  t = await startTestServer({}, { logger });
  acme = await signUp(t, 'Acme');
});
afterAll(() => t.close());

async function send(body: Record<string, unknown>, token = acme.token) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { errors?: Array<{ message: string; extensions: Record<string, unknown> }>; data?: unknown };
  return { status: res.status, errors: json.errors ?? [], data: json.data };
}

const cursor = (text: string) => Buffer.from(text).toString('base64url');
const UUID = '00000000-0000-4000-8000-000000000000';
const SERIES = `query ($from: DateTime!, $to: DateTime!) { metricSeries(metricKey: "leads", from: $from, to: $to, interval: MONTH) { value } }`;

describe('client mistakes over HTTP', () => {
  it.each([
    ['a cursor past the largest timestamp', `v1:9223372036854775807:${UUID}`],
    ['a cursor before the smallest timestamp', `v1:-9223372036854775807:${UUID}`],
    ['a cursor of 19 nines', `v1:9999999999999999999:${UUID}`],
  ])('%s is BAD_USER_INPUT', async (_what, text) => {
    for (const field of ['relationships', 'communities', 'goals']) {
      const { status, errors } = await send({ query: `query ($after: String) { ${field}(after: $after) { totalCount } }`, variables: { after: cursor(text) } });
      expect(status).toBeLessThan(500);
      expect(errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });

  it.each([
    ['year 0', '0000-01-01T00:00:00Z'],
    ['year 0 by its offset', '0001-01-01T00:00:00+05:00'],
    ['past year 9999 by its offset', '9999-12-31T23:00:00-05:00'],
  ])('a date in %s is BAD_USER_INPUT', async (_what, date) => {
    const { status, errors } = await send({ query: SERIES, variables: { from: date, to: '2026-01-01T00:00:00Z' } });
    expect(status).toBeLessThan(500);
    expect(errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(errors[0].message).toMatch(/DateTime/);
  });

  it('a NUL character is BAD_USER_INPUT with HTTP 400', async () => {
    const { status, errors } = await send({ query: `query ($k: String!) { metricSeries(metricKey: $k, from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", interval: DAY) { value } }`, variables: { k: 'lea\u0000ds' } });
    expect(status).toBe(400);
    expect(errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'k' });
    expect(errors[0].extensions.http).toBeUndefined();
  });

  it('a subscription sent over HTTP is BAD_USER_INPUT with HTTP 400, pointing at WebSocket', async () => {
    const { status, errors } = await send({ query: 'subscription { metricUpdated { value } }' });
    expect(status).toBe(400);
    expect(errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(errors[0].message).toMatch(/WebSocket/);
  });

  it('an unknown persisted query answers PERSISTED_QUERY_NOT_FOUND, unmasked, and then registers', async () => {
    const query = '{ viewer { scopes } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const missing = await send({ extensions });
    expect(missing.status).toBeLessThan(500);
    expect(missing.errors[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    expect((await send({ query, extensions })).data).toEqual({ viewer: { scopes: expect.arrayContaining(['READ']) } });
    expect((await send({ extensions })).data).toEqual({ viewer: { scopes: expect.arrayContaining(['READ']) } });
  });

  it('a persisted query whose hash does not match is BAD_USER_INPUT with HTTP 400', async () => {
    const { status, errors } = await send({ query: '{ viewer { scopes } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
    expect(status).toBe(400);
    expect(errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('a time zone Node knows and PostgreSQL does not is BAD_USER_INPUT, and series keep working', async () => {
    const update = `mutation ($tz: String!) { updateOrganization(input: { timezone: $tz }) { timezone } }`;
    const refused = await send({ query: update, variables: { tz: 'US/Pacific-New' } });
    expect(refused.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timezone' });
    expect((await send({ query: update, variables: { tz: 'America/Los_Angeles' } })).data).toEqual({ updateOrganization: { timezone: 'America/Los_Angeles' } });
    const series = await send({ query: SERIES, variables: { from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' } });
    expect(series.errors).toEqual([]);
    const signUpRefused = await send({
      query: `mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`,
      variables: { input: { email: 'tz@example.com', password: PASSWORD, organizationName: 'Tz', timezone: 'US/Pacific-New' } },
    });
    expect(signUpRefused.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timezone' });
  });
});

describe('client mistakes over WebSocket', () => {
  it('answers an out-of-range cursor and a year-0 date with BAD_USER_INPUT', async () => {
    const key = await apiKey(acme, ['READ']);
    const live = new LiveClient(t.url, key.secret);
    try {
      const bad = live.subscribe(`query ($after: String) { relationships(after: $after) { totalCount } }`, { after: cursor(`v1:9223372036854775807:${UUID}`) });
      const old = live.subscribe(SERIES, { from: '0000-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' });
      await bad.ended();
      await old.ended();
      const codeOf = (s: Subscription) => /"code":"([A-Z_]+)"/.exec(JSON.stringify([s.error, s.results]))?.[1];
      expect(codeOf(bad)).toBe('BAD_USER_INPUT');
      expect(codeOf(old)).toBe('BAD_USER_INPUT');
    } finally {
      await live.dispose();
    }
  });
});

describe('the error log', () => {
  it('holds none of the mistakes above: they are the clients’, not faults of the server', () => {
    expect(logger.entries.length).toBeGreaterThan(0); // the logger was in use
    expect(logger.at('error')).toEqual([]);
  });
});
