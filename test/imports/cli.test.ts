import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKey, signUp, type Tenant } from '../support/builders';
import { GraphQLClient } from '../support/graphql-client';
import { startTestServer, type TestServer } from '../support/test-server';

const BIN = join(__dirname, '..', '..', 'bin', 'rapport.js');

/** Runs the `rapport` command as its user would, in a process of its own. */
function rapport(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A year of daily hours and weekly ad spend as CSV, one row a line after the header. */
function yearCsv(): { csv: string; hours: number; spend: number; rows: number } {
  const start = Date.parse('2025-11-01T00:00:00Z');
  let csv = 'metricKey,value,at,idempotencyKey\n';
  let hours = 0;
  let spend = 0;
  let rows = 0;
  for (let day = 0; day < 365; day++) {
    const at = new Date(start + day * 86_400_000 + 9 * 3_600_000).toISOString();
    csv += `hours_invested,4,${at},h-${day}\n`;
    hours += 4;
    rows++;
    if (day % 7 === 0) {
      csv += `ad_spend,500,${at},s-${day}\n`;
      spend += 500;
      rows++;
    }
  }
  return { csv, hours, spend, rows };
}

describe('the rapport command', () => {
  let t: TestServer;
  let acme: Tenant;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestServer();
    acme = await signUp(t, 'Acme');
    env = { RAPPORT_URL: t.url, RAPPORT_API_KEY: (await apiKey(acme, ['INGEST', 'READ'])).secret };
    dir = await mkdtemp(join(tmpdir(), 'rapport-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await t.close();
  });

  it('--help names its commands', async () => {
    const run = await rapport(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/import \[options\] <kind> <file>/);
    expect(run.stdout).toMatch(/demo/);
    expect(run.stdout).toMatch(/migrate/);
  }, 120_000);

  it('imports a year of history from a CSV file in one command; series, ROI and goals show it', async () => {
    const year = yearCsv();
    const file = join(dir, 'year.csv');
    await writeFile(file, year.csv);
    const run = await rapport(['import', 'metrics', file], env);
    expect(run.stderr).toMatch(/uploaded .*year\.csv: job /);
    expect(run.stdout).toBe(`imported ${year.rows} rows: ${year.rows} written, 0 already there\n`);
    expect(run.code).toBe(0);

    const window = { from: '2025-11-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };
    const { metricSeries } = await acme.client.data(
      `query ($from: DateTime!, $to: DateTime!) { metricSeries(metricKey: "hours_invested", from: $from, to: $to, interval: MONTH) { value } }`,
      window,
    );
    expect(metricSeries).toHaveLength(12);
    expect(metricSeries.reduce((n: number, b: { value: number }) => n + b.value, 0)).toBe(year.hours);
    const { roi } = await acme.client.data(`query ($from: DateTime!, $to: DateTime!) { roi(from: $from, to: $to) { investment } }`, window);
    expect(roi.investment).toBe(year.hours * 75 + year.spend);
    const { createGoal } = await acme.client.data(
      `mutation ($input: CreateGoalInput!) { createGoal(input: $input) { progress { current } } }`,
      { input: { name: 'Spend', metricKey: 'ad_spend', target: 100_000, startsAt: window.from, endsAt: '2026-12-31T00:00:00Z' } },
    );
    expect(createGoal.progress.current).toBe(year.spend);

    const again = await rapport(['import', 'metrics', file, '--url', t.url, '--key', env.RAPPORT_API_KEY], {});
    expect(again.stdout).toBe(`imported ${year.rows} rows: 0 written, ${year.rows} already there\n`);
    expect(again.code).toBe(0);
  }, 120_000);

  it('prints the errors and exits 1 when the file has bad rows, and refuses without a server or key', async () => {
    const file = join(dir, 'bad.ndjson');
    await writeFile(file, '{"metricKey":"ad_spend","value":1,"at":"2026-01-01T00:00:00Z"}\n{"metricKey":"ad_spend","value":"much","at":"2026-01-01T00:00:00Z"}\n');
    const run = await rapport(['import', 'metrics', file], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('line 2: value: must be a number');
    const noKey = await rapport(['import', 'metrics', file], { RAPPORT_URL: t.url });
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toMatch(/RAPPORT_API_KEY/);
    const badKey = await rapport(['import', 'metrics', file], { ...env, RAPPORT_API_KEY: 'rr_wrongwrongwrongwrongwrong' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/UNAUTHENTICATED/);
  }, 120_000);

  it('demo makes an organization with a year of history to sign in to; migrate applies migrations', async () => {
    const run = await rapport(['demo'], { DATABASE_URL: t.db.url, SESSION_SECRET: 'test-secret-that-is-long-enough-for-hs256' });
    expect(run.code).toBe(0);
    const login = /logIn\(input: \{email: "([^"]+)", password: "([^"]+)", organizationSlug: "([^"]+)"\}\)/.exec(run.stdout);
    expect(login).not.toBeNull();
    const { logIn } = await t.client().data(`mutation ($input: LogInInput!) { logIn(input: $input) { token } }`, {
      input: { email: login![1], password: login![2], organizationSlug: login![3] },
    });
    const demo = new GraphQLClient(`${t.url}/graphql`, logIn.token);
    const to = new Date();
    const from = new Date(to.getTime() - 365 * 86_400_000);
    const { roi, relationships } = await demo.data(
      `query ($from: DateTime!, $to: DateTime!) { roi(from: $from, to: $to, interval: MONTH) { roi return investment series { roi } } relationships { totalCount } }`,
      { from, to },
    );
    expect(relationships.totalCount).toBeGreaterThan(500);
    expect(roi.investment).toBeGreaterThan(0);
    expect(roi.return).toBeGreaterThan(0);
    const series = roi.series.map((s: { roi: number | null }) => s.roi);
    expect(series.length).toBeGreaterThanOrEqual(12);
    // Investment first, returns catching up: the last quarter beats the first.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(series.slice(-3))).toBeGreaterThan(mean(series.slice(0, 3)));

    const migrate = await rapport(['migrate'], { DATABASE_URL: t.db.url });
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/migrations applied: .*Imports1764001300000/);
  }, 120_000);
});
