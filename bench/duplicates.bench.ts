import type { DataSource } from 'typeorm';
import { benchDatabase, benchServer, gql, quantile, report, round, timeRuns } from './support.js';

/**
 * `relationshipDuplicates(first: 20)` on a tenant of 10,000 relationships, then of 100,000: the
 * work of one call is bounded (the duplicates of the 2,000 newest, through indexes), so the time
 * should stay near the 10,000 figure, the baseline measured in the same process. Names come from
 * 200 first and 300 last names (random letters), so some people share a name or half of one; 2% share a handle, 2% an externalId.
 * Options: --runs N (default 9).
 */

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

async function add(ds: DataSource, org: string, from: number, to: number): Promise<void> {
  await ds.query(
    `WITH c AS (SELECT array_agg(id ORDER BY name) AS ids FROM communities WHERE organization_id = $1)
     INSERT INTO relationships (organization_id, community_id, name, handle, external_id, connected_at, created_at, updated_at)
     SELECT $1, c.ids[1 + i % 10],
            initcap(substr(md5('f' || (i::bigint * 7919 % 200)), 1, 6)) || ' ' || initcap(substr(md5('l' || (i::bigint * 104729 % 300)), 1, 8)),
            CASE WHEN i % 50 = 0 THEN 'shared' || (i % 1000) ELSE 'handle' || i END,
            CASE WHEN i % 50 = 1 THEN 'CRM-' || i WHEN i % 50 = 2 THEN 'crm-' || (i - 1) ELSE 'id-' || i END,
            t.at, t.at, t.at
       FROM generate_series($2::int, $3::int) i, c,
            LATERAL (SELECT timestamptz '2025-01-01' + i * interval '1 minute' AS at) t`,
    [org, from, to],
  );
  await ds.query('VACUUM ANALYZE relationships');
}

export async function run(args: string[]): Promise<void> {
  const runs = option(args, 'runs', 9);
  const db = await benchDatabase('duplicates');
  const server = await benchServer(db.ds);
  try {
    const signed = await gql(server.url, undefined, `mutation { signUp(input: {email: "bench@example.com", password: "bench password", organizationName: "Bench"}) { token organization { id } } }`);
    const { token } = signed.signUp;
    const org = signed.signUp.organization.id as string;
    await db.ds.query(`INSERT INTO communities (organization_id, name, platform) SELECT $1, 'Community ' || i, 'forum' FROM generate_series(1, 10) i`, [org]);
    const query = `{ relationshipDuplicates(first: 20) { reason score relationships { id } } }`;
    await add(db.ds, org, 1, 10_000);
    const small = await timeRuns(runs, 2, () => gql(server.url, token, query));
    const groupsSmall = (await gql(server.url, token, query)).relationshipDuplicates.length;
    await add(db.ds, org, 10_001, 100_000);
    const large = await timeRuns(runs, 2, () => gql(server.url, token, query));
    const groups = (await gql(server.url, token, query)).relationshipDuplicates as Array<{ reason: string }>;
    report({
      duplicates: {
        p50MsAt10k: round(quantile(small, 0.5), 1),
        p50MsAt100k: round(quantile(large, 0.5), 1),
        p90MsAt100k: round(quantile(large, 0.9), 1),
        ratio100kTo10k: round(quantile(large, 0.5) / quantile(small, 0.5), 2),
        groupsAt10k: groupsSmall,
        reasonsAt100k: [...new Set(groups.map((g) => g.reason))],
      },
    });
  } finally {
    await server.close();
    await db.close();
  }
}
