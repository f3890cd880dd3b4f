import { createServer as createTcpServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db/data-source';
import { entities } from '../../src/entities';
import { createLogger } from '../../src/platform/logger';
import { createServer, type RapportServer } from '../../src/server';
import { apiKey, PASSWORD, signUp, type Tenant } from '../support/builders';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { GraphQLClient } from '../support/graphql-client';
import type { TestServer } from '../support/test-server';

// Finding 7 of issue 8: while PostgreSQL was unreachable, credential lookups answered 500. The
// server reaches PostgreSQL through a TCP proxy of the test's own, which the test then closes.

/** A TCP proxy to `target` that can cut every connection and refuse new ones. */
class Proxy {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createTcpServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** PostgreSQL becomes unreachable: open connections are cut, new ones refused. */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

let db: TestDatabase;
let proxy: Proxy;
let ds: DataSource;
let server: RapportServer;
let acme: Tenant;
let key: string;

const post = (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });

beforeAll(async () => {
  db = await createTestDatabase();
  const direct = new URL(db.url);
  proxy = new Proxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const viaProxy = new URL(db.url);
  viaProxy.port = String(await proxy.listen());
  const config = loadConfig(
    { ...process.env, DATABASE_URL: viaProxy.toString(), REDIS_URL: undefined, NODE_ENV: 'test' },
    { port: 0, logLevel: 'silent', sessionSecret: 'test-secret-that-is-long-enough-for-hs256', rateLimitPerMinute: 0 },
  );
  ds = await openDatabase(config.databaseUrl!, config.poolSize, entities);
  server = await createServer(config, { ds, logger: createLogger('silent'), jobs: false });
  const client = (token?: string) => new GraphQLClient(`${server.url}/graphql`, token);
  acme = await signUp({ url: server.url, client } as unknown as TestServer, 'Acme');
  key = (await apiKey(acme, ['READ'])).secret;
});
afterAll(async () => {
  await server.close();
  await ds.destroy().catch(() => {});
  await db.drop();
});

describe('PostgreSQL unreachable (issue 8, finding 7)', () => {
  it('answers 503 with retry-after: credential lookups, log-in and queries alike', async () => {
    expect((await post('{ viewer { scopes } }', {}, { authorization: `Bearer ${key}` })).status).toBe(200);
    await proxy.cut();
    const answers = [
      // An API key never seen: its lookup needs the database.
      await post('{ viewer { scopes } }', {}, { authorization: `Bearer ${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}` }),
      // A known key (held by the node) whose query reads the database.
      await post('{ metrics { key } }', {}, { authorization: `Bearer ${key}` }),
      await post(`mutation ($input: LogInInput!) { logIn(input: $input) { token } }`, { input: { email: acme.email, password: PASSWORD } }),
    ];
    expect(answers.map((res) => res.status)).toEqual([503, 503, 503]);
    for (const res of answers) {
      expect(res.headers.get('retry-after')).toBe('5');
      const body = (await res.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
      expect(body.errors[0].message).not.toMatch(/ECONNREFUSED|Connection terminated|127\.0\.0\.1/);
    }
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
