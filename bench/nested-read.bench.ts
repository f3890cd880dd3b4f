import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../src/config.js';
import { createServer, type RapportServer } from '../src/server.js';
import { statementsOf } from './statement-counter.js';
import { benchDatabase, gql, handWrittenService, load, quantile, report, round, timeRuns } from './support.js';

/**
 * A three-level nested read (communities -> relationships -> conversations) over HTTP: Rapport
 * against a hand-written node http + pg service in the same process that verifies the same
 * session token by hand and builds the same answer in one `json_agg` statement.
 *  1. Throughput: 20 communities x 10 relationships x 3 conversations, from `--connections`
 *     keep-alive connections for `--seconds` per side, alternated twice (goal: >= 0.8x the
 *     hand-written requests/s, p50 <= 1.5x).
 *  2. The curve: tenants of 10, 100 and 1,000 communities (10 relationships and 3 conversations
 *     each), each read whole in pages of 100 (ten requests for 1,000: the query cost limit refuses
 *     more in one); time to read it all (p50 of `--runs`) and SQL statements per request (a counting wrapper on the server's pool), for the compiled
 *     read, the resolvers (forced with `@include(if: true)`, which the compiled read leaves to them)
 *     and the hand-written statement.
 * Prints `{nestedRead: {...}}` last.
 */

const SECRET = 'bench-secret-that-is-long-enough-for-hs256';
const RELATIONSHIPS_PER_COMMUNITY = 10;
const CONVERSATIONS_PER_RELATIONSHIP = 3;
const PAGE = 100;

/** The selection under each community. */
const COMMUNITY_SELECTION = (relationships: number, conversations: number) =>
  `id name relationships(first: ${relationships}) { edges { node { id name conversations(first: ${conversations}) { edges { node { id occurredAt } } } } } }`;

/** The measured read (exported, with `generate`, for profiling scripts). */
export const QUERY = `{ communities(first: 20) { edges { node { ${COMMUNITY_SELECTION(10, 3)} } } } }`;

/**
 * Reads `communities` whole: one request per page of 100 (the query cost limit refuses more in
 * one document), after the given cursors. `force` leaves them to the resolvers.
 */
function wholeTenantQueries(communities: number, cursors: string[], force = false): string[] {
  const directive = force ? ' @include(if: true)' : '';
  return Array.from({ length: Math.ceil(communities / PAGE) }, (_, i) => {
    const first = Math.min(PAGE, communities - i * PAGE);
    const after = i === 0 ? '' : `, after: "${cursors[i - 1]}"`;
    return `{ communities(first: ${first}${after})${directive} { edges { node { ${COMMUNITY_SELECTION(RELATIONSHIPS_PER_COMMUNITY, CONVERSATIONS_PER_RELATIONSHIP)} } } } }`;
  });
}

/** Runs the page requests one after the other; all communities, pages concatenated, as the hand-written service shapes them. */
async function readAll(url: string, token: string, queries: string[]): Promise<string> {
  const edges: unknown[] = [];
  for (const q of queries) edges.push(...(await gql(url, token, q)).communities.edges);
  return JSON.stringify({ communities: { edges } });
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** Writes the tenant's rows with set-based SQL through the owner connection. */
export async function generate(
  ds: DataSource,
  organizationId: string,
  shape = { communities: 100, relationships: RELATIONSHIPS_PER_COMMUNITY, conversations: CONVERSATIONS_PER_RELATIONSHIP },
): Promise<void> {
  await ds.query(
    `INSERT INTO communities (organization_id, name, platform, qualified, alignment_score, tags, created_at)
     SELECT $1, 'Community ' || i, (ARRAY['linkedin', 'discord', 'forum'])[1 + i % 3], i % 2 = 0, (i % 10) / 10.0,
            ARRAY['tag' || (i % 7)], now() - interval '400 days' + i * interval '1 minute'
       FROM generate_series(1, $2::int) i`,
    [organizationId, shape.communities],
  );
  await ds.query(
    `INSERT INTO relationships (organization_id, community_id, name, handle, company, stage, qualified, created_at, updated_at, connected_at)
     SELECT $1, c.id, 'Person ' || c.n || '-' || j, '@person' || c.n || '_' || j, 'Company ' || (j % 37),
            (ARRAY['CONNECTED', 'ENGAGED', 'LEAD', 'OPPORTUNITY', 'CUSTOMER'])[1 + j % 5], j % 3 = 0,
            c.created_at + j * interval '1 second', c.created_at + j * interval '1 second', c.created_at + j * interval '1 second'
       FROM (SELECT id, created_at, row_number() OVER (ORDER BY created_at) AS n FROM communities WHERE organization_id = $1) c,
            generate_series(1, $2::int) j`,
    [organizationId, shape.relationships],
  );
  await ds.query(
    `INSERT INTO relationship_stage_changes (organization_id, relationship_id, from_stage, to_stage, changed_at)
     SELECT organization_id, id, NULL, stage, created_at FROM relationships WHERE organization_id = $1`,
    [organizationId],
  );
  await ds.query(
    `INSERT INTO conversations (organization_id, relationship_id, occurred_at, channel, summary, sentiment, qualified, created_at)
     SELECT $1, r.id, r.created_at + k * interval '1 day' + k * interval '1.234 ms', (ARRAY['dm', 'comment', 'call'])[1 + k % 3], 'Conversation ' || k,
            round((random() * 2 - 1)::numeric, 2), k % 2 = 0, r.created_at + k * interval '1 day'
       FROM relationships r, generate_series(1, $2::int) k WHERE r.organization_id = $1`,
    [organizationId, shape.conversations],
  );
  await ds.query(`ANALYZE communities, relationships, relationship_stage_changes, conversations`);
}

/** The hand-written answer to the first `communities` communities, in one statement (JSON text, ready to send). */
const HAND_WRITTEN_SQL = `
SELECT json_build_object('data', json_build_object('communities', json_build_object('edges', coalesce(json_agg(json_build_object('node', json_build_object(
         'id', c.id, 'name', c.name, 'relationships', json_build_object('edges', (
           SELECT coalesce(json_agg(json_build_object('node', json_build_object(
                    'id', r.id, 'name', r.name, 'conversations', json_build_object('edges', (
                      SELECT coalesce(json_agg(json_build_object('node', json_build_object(
                               'id', v.id, 'occurredAt', to_char(v.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))) ORDER BY v.created_at, v.id), '[]')
                        FROM (SELECT id, occurred_at, created_at FROM conversations WHERE organization_id = $1 AND relationship_id = r.id
                               ORDER BY created_at, id LIMIT $4) v))))
                  ORDER BY r.created_at, r.id), '[]')
             FROM (SELECT id, name, created_at FROM relationships WHERE organization_id = $1 AND community_id = c.id
                    ORDER BY created_at, id LIMIT $3) r))))
       ORDER BY c.created_at, c.id), '[]'))))::text AS body
  FROM (SELECT id, name, created_at FROM communities WHERE organization_id = $1 ORDER BY created_at, id LIMIT $2) c`;

function handWrittenAnswer(pool: Pool, organizationId: string, communities: number, relationships = 10, conversations = 3): Promise<string> {
  return pool.query(HAND_WRITTEN_SQL, [organizationId, communities, relationships, conversations]).then((r) => r.rows[0].body as string);
}

/** The hand-written service: node http + pg, verifies the session token (same HS256 checks), answers in one statement. */
const handWrittenNested = (pool: Pool) => handWrittenService(SECRET, (organizationId) => handWrittenAnswer(pool, organizationId, 20));

interface BenchTenant {
  token: string;
  organizationId: string;
  communities: number;
}

async function tenant(server: RapportServer, ds: DataSource, communities: number): Promise<BenchTenant> {
  const signed = await gql(server.url, undefined, `mutation ($input: SignUpInput!) { signUp(input: $input) { token organization { id } } }`, {
    input: { email: `bench-${communities}@example.com`, password: 'correct horse battery staple', organizationName: `Bench ${communities}` },
  });
  const t = { token: signed.signUp.token as string, organizationId: signed.signUp.organization.id as string, communities };
  await generate(ds, t.organizationId, { communities, relationships: RELATIONSHIPS_PER_COMMUNITY, conversations: CONVERSATIONS_PER_RELATIONSHIP });
  return t;
}

/** The end cursors of the tenant's pages of 100 communities, for the aliased whole-tenant read. */
async function pageCursors(url: string, t: BenchTenant): Promise<string[]> {
  const cursors: string[] = [];
  for (let i = 1; i * PAGE < t.communities; i++) {
    const after = cursors.length ? `, after: "${cursors[cursors.length - 1]}"` : '';
    const data = await gql(url, t.token, `{ communities(first: ${PAGE}${after}) { pageInfo { endCursor } } }`);
    cursors.push(data.communities.pageInfo.endCursor);
  }
  return cursors;
}

interface CurvePoint {
  communities: number;
  compiledMs: number;
  compiledStatements: number;
  resolversMs: number;
  resolversStatements: number;
  handWrittenMs: number;
}

async function curvePoint(server: RapportServer, ds: DataSource, pool: Pool, t: BenchTenant, runs: number): Promise<CurvePoint> {
  const cursors = await pageCursors(server.url, t);
  const compiled = wholeTenantQueries(t.communities, cursors);
  const resolvers = wholeTenantQueries(t.communities, cursors, true);
  const viaCompiled = await readAll(server.url, t.token, compiled);
  const viaResolvers = await readAll(server.url, t.token, resolvers);
  const viaHand = JSON.stringify(JSON.parse(await handWrittenAnswer(pool, t.organizationId, t.communities)).data);
  if (viaCompiled !== viaHand || viaResolvers !== viaHand) throw new Error(`the three reads differ at ${t.communities} communities`);
  // Statements per request: the last page's (each page is one request).
  const compiledStatements = (await statementsOf(ds, () => gql(server.url, t.token, compiled[compiled.length - 1]))).length;
  const resolversStatements = (await statementsOf(ds, () => gql(server.url, t.token, resolvers[resolvers.length - 1]))).length;
  const times = { compiled: [] as number[], resolvers: [] as number[], hand: [] as number[] };
  // Interleaved, so all three see the same machine load (the bench host is shared).
  for (let i = 0; i < runs; i++) {
    times.compiled.push(...(await timeRuns(1, i === 0 ? 2 : 0, () => readAll(server.url, t.token, compiled))));
    times.resolvers.push(...(await timeRuns(1, i === 0 ? 2 : 0, () => readAll(server.url, t.token, resolvers))));
    times.hand.push(...(await timeRuns(1, i === 0 ? 2 : 0, () => handWrittenAnswer(pool, t.organizationId, t.communities))));
  }
  const p50 = (xs: number[]) => round(quantile(xs.sort((a, b) => a - b), 0.5), 2);
  return {
    communities: t.communities,
    compiledMs: p50(times.compiled),
    compiledStatements,
    resolversMs: p50(times.resolvers),
    resolversStatements,
    handWrittenMs: p50(times.hand),
  };
}

export async function run(args: string[]): Promise<void> {
  const connections = option(args, 'connections', 10);
  const seconds = option(args, 'seconds', 5);
  const runs = option(args, 'runs', 10);
  const db = await benchDatabase('nested_read');
  const server = await createServer(loadConfig(process.env, { port: 0, logLevel: 'warn', sessionSecret: SECRET, rateLimitPerMinute: 0, redisUrl: undefined }), {
    ds: db.ds,
    jobs: false,
  });
  const pool = new Pool({ connectionString: db.url, max: 10 });
  const bare = handWrittenNested(pool);
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  try {
    const generating = Date.now();
    const tenants = [];
    for (const n of [10, 100, 1000]) tenants.push(await tenant(server, db.ds, n));
    process.stdout.write(`generated 3 tenants (10, 100, 1,000 communities x ${RELATIONSHIPS_PER_COMMUNITY} x ${CONVERSATIONS_PER_RELATIONSHIP}) in ${Date.now() - generating} ms\n`);

    // 1. Throughput on 20 x 10 x 3, from the 100-community tenant.
    const t = tenants[1];
    const body = JSON.stringify({ query: QUERY });
    const viaGraphql = JSON.stringify((await gql(server.url, t.token, QUERY)).communities);
    const viaHand = JSON.stringify(JSON.parse(await handWrittenAnswer(pool, t.organizationId, 20)).data.communities);
    if (viaGraphql !== viaHand) throw new Error('Rapport and the hand-written service answer differently');
    const statements = await statementsOf(db.ds, () => gql(server.url, t.token, QUERY));
    const ok = (text: string) => text.includes('"occurredAt"') && !text.includes('"errors"');
    await load(bareUrl, t.token, body, connections, 1000, ok);
    await load(server.url, t.token, body, connections, 1000, ok);
    const rounds: Array<{ rapport: number; handWritten: number; rapportP50: number; handWrittenP50: number }> = [];
    for (let i = 0; i < 2; i++) {
      const h = await load(bareUrl, t.token, body, connections, seconds * 1000, ok);
      const r = await load(server.url, t.token, body, connections, seconds * 1000, ok);
      rounds.push({ rapport: r.perSecond, handWritten: h.perSecond, rapportP50: quantile(r.latencies, 0.5), handWrittenP50: quantile(h.latencies, 0.5) });
      process.stdout.write(
        `round ${i + 1}: rapport ${Math.round(r.perSecond)} req/s (p50 ${round(quantile(r.latencies, 0.5), 2)} ms, p99 ${round(quantile(r.latencies, 0.99), 2)} ms); ` +
          `hand-written ${Math.round(h.perSecond)} req/s (p50 ${round(quantile(h.latencies, 0.5), 2)} ms); ` +
          `throughput ratio ${round(r.perSecond / h.perSecond)}, p50 ratio ${round(quantile(r.latencies, 0.5) / quantile(h.latencies, 0.5))}\n`,
      );
    }
    process.stdout.write(`statements per request: ${statements.length} (${statements.map((s) => s.slice(0, 40).replace(/\s+/g, ' ')).join(' | ')})\n`);

    // 2. The curve.
    const curve: CurvePoint[] = [];
    process.stdout.write('communities | requests | compiled ms | statements/request | resolvers ms | statements/request | hand-written ms (one statement) | compiled µs per community\n');
    for (const tn of tenants) {
      const p = await curvePoint(server, db.ds, pool, tn, runs);
      curve.push(p);
      process.stdout.write(
        `${p.communities} | ${Math.ceil(p.communities / PAGE)} | ${p.compiledMs} | ${p.compiledStatements} | ${p.resolversMs} | ${p.resolversStatements} | ${p.handWrittenMs} | ${round((p.compiledMs * 1000) / p.communities, 1)}\n`,
      );
    }

    const rapport = rounds.reduce((a, r) => a + r.rapport, 0) / rounds.length;
    const hand = rounds.reduce((a, r) => a + r.handWritten, 0) / rounds.length;
    const p50Ratio = rounds.reduce((a, r) => a + r.rapportP50 / r.handWrittenP50, 0) / rounds.length;
    report({
      nestedRead: {
        connections,
        seconds,
        rapportPerSecond: Math.round(rapport),
        handWrittenPerSecond: Math.round(hand),
        throughputRatio: round(rapport / hand),
        p50Ratio: round(p50Ratio),
        rounds: rounds.map((r) => ({ throughput: round(r.rapport / r.handWritten), p50: round(r.rapportP50 / r.handWrittenP50) })),
        statements: statements.length,
        curve,
        goals: { throughput: 0.8, p50: 1.5 },
        met: rapport / hand >= 0.8 && p50Ratio <= 1.5 && new Set(curve.map((p) => p.compiledStatements)).size === 1,
      },
    });
  } finally {
    await new Promise((resolve) => bare.close(resolve));
    await pool.end();
    await server.close();
    await db.close();
  }
}
