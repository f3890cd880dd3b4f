import { signUp, type Tenant } from '../support/builders';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * ROI reports are cached per node under the tenant's data version: asked again with no write
 * since, the same figures come back; a write on any node changes the version, so every node
 * computes again; one tenant's cached report is never another's.
 */
let a: TestServer;
let b: TestServer;
let acme: Tenant;
let globex: Tenant;

const DAY = 86_400_000;
const today = new Date(Math.floor(Date.now() / DAY) * DAY);
const vars = { from: new Date(today.getTime() - DAY).toISOString(), to: new Date(today.getTime() + DAY).toISOString() };
const REPORT = `query ($from: DateTime!, $to: DateTime!) { roi(from: $from, to: $to, interval: DAY) {
  model { name } investment series { investment } variables { name value } } }`;
const RECORD = `mutation ($points: [MetricPointInput!]!) { recordMetrics(points: $points) { accepted } }`;
const hours = (value: number) => ({ points: [{ metricKey: 'hours_invested', value, at: new Date(today.getTime() + 3_600_000).toISOString() }] });
const hoursOf = (report: any) => report.roi.variables.find((v: { name: string }) => v.name === 'hours_invested').value;

beforeAll(async () => {
  a = await startTestServer();
  b = await startTestServer({}, { db: a.db });
  acme = await signUp(a, 'Acme');
  globex = await signUp(a, 'Globex');
});
afterAll(async () => {
  await b.close();
  await a.close();
});

describe('the ROI report cache', () => {
  it('serves a repeat from the cache and computes again after a write on another node', async () => {
    await acme.client.data(RECORD, hours(10));
    const first = await acme.client.data(REPORT, vars);
    expect(hoursOf(first)).toBe(10);
    const [version] = await a.ds.query(`SELECT sum(n)::int AS v FROM data_versions`);
    expect(await acme.client.data(REPORT, vars)).toEqual(first);
    // A read writes no version.
    expect((await a.ds.query(`SELECT sum(n)::int AS v FROM data_versions`))[0].v).toBe(version.v);
    await b.client(acme.token).data(RECORD, hours(5));
    expect(hoursOf(await acme.client.data(REPORT, vars))).toBe(15);
    expect(hoursOf(await b.client(acme.token).data(REPORT, vars))).toBe(15);
  });

  it('never serves one tenant’s report to another', async () => {
    await acme.client.data(REPORT, vars);
    expect(hoursOf(await globex.client.data(REPORT, vars))).toBe(0);
  });

  it('shows a renamed model’s new name over cached figures', async () => {
    const before = await acme.client.data(REPORT, vars);
    const [{ id }] = await a.ds.query(`SELECT id FROM roi_models WHERE organization_id = $1`, [acme.organizationId]);
    await acme.client.data(`mutation ($id: ID!) { updateRoiModel(id: $id, input: {name: "Renamed"}) { name } }`, { id });
    const after = await acme.client.data(REPORT, vars);
    expect(after.roi.model.name).toBe('Renamed');
    expect(after.roi.investment).toBe(before.roi.investment);
  });

  it('keeps the version table out of the application role’s reach', async () => {
    const runner = a.ds.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query(`SET LOCAL ROLE rapport_app`);
      await expect(runner.query(`SELECT * FROM data_versions`)).rejects.toThrow(/permission denied/);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
