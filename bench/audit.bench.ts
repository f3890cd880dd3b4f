import { Client } from 'pg';
import { benchDatabase, benchServer, gql, quantile, report, round, timeRuns } from './support.js';

/**
 * What the audit log costs a mutation. `updateCommunity` over HTTP (which writes its audit event)
 * against the same work done by a bare pg client in the same process: one transaction bound to
 * the tenant with the same UPDATE, with and without the audit INSERT. The difference of the two
 * bare medians is the audit's own cost; its share of the HTTP mutation is the figure to watch.
 *
 * Args: [runs=300]. Goal: the audit insert is under 10% of a mutation's time.
 */
export async function run(args: string[]): Promise<void> {
  const runs = Number(args[0] ?? 300);
  const warmup = 30;
  const db = await benchDatabase('audit');
  const server = await benchServer(db.ds);
  const bare = new Client({ connectionString: db.url });
  await bare.connect();
  try {
    const signUp = await gql(server.url, undefined, `mutation ($input: SignUpInput!) { signUp(input: $input) { token user { id } organization { id } } }`, {
      input: { email: 'bench@example.com', password: 'correct horse battery staple', organizationName: 'Bench' },
    });
    const token: string = signUp.signUp.token;
    const tenantId: string = signUp.signUp.organization.id;
    const userId: string = signUp.signUp.user.id;
    const community = await gql(server.url, token, `mutation { createCommunity(input: {name: "Forum", platform: "discourse"}) { id } }`);
    const id: string = community.createCommunity.id;
    let n = 0;
    const update = `mutation ($id: ID!, $name: String!) { updateCommunity(id: $id, input: {name: $name}) { id } }`;
    const http = await timeRuns(runs, warmup, () => gql(server.url, token, update, { id, name: `Forum ${n++}` }));

    const bareMutation = (audit: boolean) => async () => {
      await bare.query('BEGIN');
      await bare.query(`SELECT set_config('role', 'rapport_app', true), set_config('app.tenant', $1, true)`, [tenantId]);
      await bare.query(`UPDATE communities SET name = $2 WHERE id = $1`, [id, `Forum ${n++}`]);
      if (audit) {
        await bare.query(
          `INSERT INTO audit_events (organization_id, action, actor_kind, actor_id, actor_name, target_id, request_id)
           VALUES ($1, 'updateCommunity', 'USER', $2, 'bench@example.com', $3, 'bench-request-id')`,
          [tenantId, userId, id],
        );
      }
      await bare.query('COMMIT');
    };
    const without = await timeRuns(runs, warmup, bareMutation(false));
    const withAudit = await timeRuns(runs, warmup, bareMutation(true));
    const httpMedian = quantile(http, 0.5);
    const auditMs = Math.max(0, quantile(withAudit, 0.5) - quantile(without, 0.5));
    process.stdout.write(
      `updateCommunity over HTTP: median ${round(httpMedian, 2)} ms, p95 ${round(quantile(http, 0.95), 2)} ms\n` +
        `bare transaction: ${round(quantile(without, 0.5), 3)} ms without the audit insert, ${round(quantile(withAudit, 0.5), 3)} ms with it\n`,
    );
    report({
      bench: 'audit',
      runs,
      httpMedianMs: round(httpMedian, 3),
      bareMedianMs: round(quantile(without, 0.5), 3),
      bareWithAuditMedianMs: round(quantile(withAudit, 0.5), 3),
      auditInsertMs: round(auditMs, 3),
      auditShareOfMutation: round(auditMs / httpMedian),
      goalShare: 0.1,
      met: auditMs / httpMedian < 0.1,
    });
  } finally {
    await bare.end();
    await server.close();
    await db.close();
  }
}
