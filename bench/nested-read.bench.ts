import { Client } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { benchDatabase, benchServer, gql, quantile, report, round, timeRuns } from './support.js';

/**
 * A three-level nested read (communities -> relationships -> conversations) over HTTP against the
 * same rows fetched by hand-written SQL through `pg` (3 statements), on a tenant with 200
 * communities, 20,000 relationships and 100,000 conversations. Prints
 * `{nestedRead: {graphqlP50Ms, sqlP50Ms, ratio, statements}}` last.
 * Options: `--runs N` (default 30), `--warmup N` (default 5).
 */

const COMMUNITIES = 200;
const RELATIONSHIPS_PER_COMMUNITY = 100;
const CONVERSATIONS_PER_RELATIONSHIP = 5;

/** The measured read (exported, with `generate`, for profiling scripts). */
export const QUERY = `{
  communities(first: 50) { edges { node { id name
    relationships(first: 20) { edges { node { id name
      conversations(first: 5) { edges { node { id occurredAt } } }
    } } }
  } } }
}`;

interface Tree {
  id: string;
  name: string;
  relationships: Array<{ id: string; name: string; conversations: Array<{ id: string; occurredAt: string }> }>;
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** Writes the tenant's rows with set-based SQL through the owner connection. */
export async function generate(ds: DataSource, organizationId: string): Promise<void> {
  await ds.query(
    `INSERT INTO communities (organization_id, name, platform, qualified, alignment_score, tags, created_at)
     SELECT $1, 'Community ' || i, (ARRAY['linkedin', 'discord', 'forum'])[1 + i % 3], i % 2 = 0, (i % 10) / 10.0,
            ARRAY['tag' || (i % 7)], now() - interval '400 days' + i * interval '1 minute'
       FROM generate_series(1, $2::int) i`,
    [organizationId, COMMUNITIES],
  );
  await ds.query(
    `INSERT INTO relationships (organization_id, community_id, name, handle, company, stage, qualified, created_at, updated_at, connected_at)
     SELECT $1, c.id, 'Person ' || c.n || '-' || j, '@person' || c.n || '_' || j, 'Company ' || (j % 37),
            (ARRAY['CONNECTED', 'ENGAGED', 'LEAD', 'OPPORTUNITY', 'CUSTOMER'])[1 + j % 5], j % 3 = 0,
            c.created_at + j * interval '1 second', c.created_at + j * interval '1 second', c.created_at + j * interval '1 second'
       FROM (SELECT id, created_at, row_number() OVER (ORDER BY created_at) AS n FROM communities WHERE organization_id = $1) c,
            generate_series(1, $2::int) j`,
    [organizationId, RELATIONSHIPS_PER_COMMUNITY],
  );
  await ds.query(
    `INSERT INTO relationship_stage_changes (organization_id, relationship_id, from_stage, to_stage, changed_at)
     SELECT organization_id, id, NULL, stage, created_at FROM relationships WHERE organization_id = $1`,
    [organizationId],
  );
  await ds.query(
    `INSERT INTO conversations (organization_id, relationship_id, occurred_at, channel, summary, sentiment, qualified, created_at)
     SELECT $1, r.id, r.created_at + k * interval '1 day', (ARRAY['dm', 'comment', 'call'])[1 + k % 3], 'Conversation ' || k,
            round((random() * 2 - 1)::numeric, 2), k % 2 = 0, r.created_at + k * interval '1 day'
       FROM relationships r, generate_series(1, $2::int) k WHERE r.organization_id = $1`,
    [organizationId, CONVERSATIONS_PER_RELATIONSHIP],
  );
  await ds.query(`ANALYZE communities, relationships, relationship_stage_changes, conversations`);
}

/** The same rows by hand: a page of communities, then one lateral statement per level. */
async function handWritten(pg: Client, organizationId: string): Promise<Tree[]> {
  const communities = (
    await pg.query(
      `SELECT id, name FROM communities WHERE organization_id = $1 ORDER BY created_at, id LIMIT 50`,
      [organizationId],
    )
  ).rows as Array<{ id: string; name: string }>;
  const relationships = (
    await pg.query(
      `SELECT r.id, r.name, r.community_id FROM unnest($2::uuid[]) AS p(id)
        CROSS JOIN LATERAL (SELECT id, name, community_id FROM relationships
                             WHERE organization_id = $1 AND community_id = p.id ORDER BY created_at, id LIMIT 20) r`,
      [organizationId, communities.map((c) => c.id)],
    )
  ).rows as Array<{ id: string; name: string; community_id: string }>;
  const conversations = (
    await pg.query(
      `SELECT v.id, v.occurred_at, v.relationship_id FROM unnest($2::uuid[]) AS p(id)
        CROSS JOIN LATERAL (SELECT id, occurred_at, relationship_id FROM conversations
                             WHERE organization_id = $1 AND relationship_id = p.id ORDER BY created_at, id LIMIT 5) v`,
      [organizationId, relationships.map((r) => r.id)],
    )
  ).rows as Array<{ id: string; occurred_at: Date; relationship_id: string }>;
  const convsOf = new Map<string, Tree['relationships'][number]['conversations']>();
  for (const v of conversations) {
    const list = convsOf.get(v.relationship_id) ?? [];
    list.push({ id: v.id, occurredAt: v.occurred_at.toISOString() });
    convsOf.set(v.relationship_id, list);
  }
  const relsOf = new Map<string, Tree['relationships']>();
  for (const r of relationships) {
    const list = relsOf.get(r.community_id) ?? [];
    list.push({ id: r.id, name: r.name, conversations: convsOf.get(r.id) ?? [] });
    relsOf.set(r.community_id, list);
  }
  return communities.map((c) => ({ id: c.id, name: c.name, relationships: relsOf.get(c.id) ?? [] }));
}

/** The GraphQL answer in the hand-written shape, to check both read the same rows. */
function flatten(data: any): Tree[] {
  return data.communities.edges.map((e: any) => ({
    id: e.node.id,
    name: e.node.name,
    relationships: e.node.relationships.edges.map((r: any) => ({
      id: r.node.id,
      name: r.node.name,
      conversations: r.node.conversations.edges.map((v: any) => v.node),
    })),
  }));
}

/** Counts the statements every QueryRunner of `ds` sends while `fn` runs. */
async function countStatements(ds: DataSource, fn: () => Promise<unknown>): Promise<number> {
  const probe = ds.createQueryRunner();
  const proto = Object.getPrototypeOf(probe) as QueryRunner;
  await probe.release();
  const original = proto.query;
  let n = 0;
  proto.query = function (this: QueryRunner, ...args: unknown[]) {
    n++;
    return (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
  } as QueryRunner['query'];
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return n;
}

export async function run(args: string[]): Promise<void> {
  const runs = option(args, 'runs', 30);
  const warmup = option(args, 'warmup', 5);
  const db = await benchDatabase('nested_read');
  const server = await benchServer(db.ds);
  const pg = new Client({ connectionString: db.url });
  try {
    const signed = await gql(server.url, undefined, `mutation ($input: SignUpInput!) { signUp(input: $input) { token organization { id } } }`, {
      input: { email: 'bench@example.com', password: 'correct horse battery staple', organizationName: 'Bench' },
    });
    const token: string = signed.signUp.token;
    const organizationId: string = signed.signUp.organization.id;
    const generating = Date.now();
    await generate(db.ds, organizationId);
    process.stdout.write(`generated data in ${Date.now() - generating} ms\n`);
    await pg.connect();

    const viaGraphql = flatten(await gql(server.url, token, QUERY));
    const viaSql = await handWritten(pg, organizationId);
    if (JSON.stringify(viaGraphql) !== JSON.stringify(viaSql)) throw new Error('GraphQL and SQL read different rows');
    const conversations = viaSql.reduce((n, c) => n + c.relationships.reduce((m, r) => m + r.conversations.length, 0), 0);
    process.stdout.write(`rows: ${viaSql.length} communities, ${viaSql.length * 20} relationships, ${conversations} conversations\n`);

    const statements = await countStatements(db.ds, () => gql(server.url, token, QUERY));
    // Interleaved, so both sides see the same machine load (the bench host is shared).
    const graphqlTimes: number[] = [];
    const sqlTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      graphqlTimes.push(...(await timeRuns(1, i === 0 ? warmup : 0, () => gql(server.url, token, QUERY))));
      sqlTimes.push(...(await timeRuns(1, i === 0 ? warmup : 0, () => handWritten(pg, organizationId))));
    }
    graphqlTimes.sort((a, b) => a - b);
    sqlTimes.sort((a, b) => a - b);
    const graphqlP50Ms = quantile(graphqlTimes, 0.5);
    const sqlP50Ms = quantile(sqlTimes, 0.5);
    process.stdout.write(
      `graphql p50 ${round(graphqlP50Ms)} ms (p90 ${round(quantile(graphqlTimes, 0.9))}), sql p50 ${round(sqlP50Ms)} ms (p90 ${round(quantile(sqlTimes, 0.9))})\n`,
    );
    report({ nestedRead: { graphqlP50Ms: round(graphqlP50Ms), sqlP50Ms: round(sqlP50Ms), ratio: round(graphqlP50Ms / sqlP50Ms), statements } });
  } finally {
    await pg.end().catch(() => undefined);
    await server.close();
    await db.close();
  }
}
