import { randomBytes, randomUUID } from 'node:crypto';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/data-source.js';
import { inTenantTransaction, type TenantDb } from '../db/tenant.js';
import { AuthService } from '../modules/members/auth.service.js';
import { Authenticator } from '../platform/auth/authenticator.js';
import { createLogger } from '../platform/logger.js';
import { MemoryPubSub } from '../platform/pubsub/memory-pubsub.js';
import { RevocationListener } from '../platform/revocation/revocation-listener.js';
import { LoginThrottle } from '../platform/limits/login-throttle.js';

const DAY = 86_400_000;
const STAGES = ['CONNECTED', 'ENGAGED', 'LEAD', 'OPPORTUNITY', 'CUSTOMER'] as const;

/** A small seeded generator (mulberry32), so that every demo tells the same story. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia', 'Guido', 'Anita', 'Bjarne', 'Hedy', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Perlman', 'Rossum', 'Borg', 'Stroustrup', 'Lamarr', 'Berners-Lee'];
const COMPANIES = ['Initech', 'Globex', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises', 'Acme Corp', 'Vandelay', null, null];
const COMMUNITIES = [
  { name: 'Indie Hackers forum', platform: 'forum', qualified: true, alignment: 0.8, weight: 3 },
  { name: 'DevOps Discord', platform: 'discord', qualified: true, alignment: 0.9, weight: 4 },
  { name: 'B2B founders on LinkedIn', platform: 'linkedin', qualified: true, alignment: 0.6, weight: 2 },
  { name: 'r/selfhosted', platform: 'reddit', qualified: false, alignment: 0.4, weight: 2 },
  { name: 'Berlin product meetup', platform: 'meetup', qualified: true, alignment: 0.7, weight: 1 },
];
const CHANNELS = ['dm', 'thread', 'call', 'email', 'event'];

/** What the demo made, and how to sign in. */
export interface Demo {
  email: string;
  password: string;
  organizationSlug: string;
  token: string;
  counts: Record<string, number>;
}

/**
 * `rapport demo`: a new organization with a year of dated history up to today: communities,
 * relationships joining at a growing pace and moving through the funnel (each stage at its own
 * time), conversations with sentiment, hours worked every weekday and weekly ad spend, so that the
 * default ROI model draws a believable curve: investment first, returns catching up.
 */
export async function makeDemo(now = new Date()): Promise<Demo> {
  const config = loadConfig();
  const logger = createLogger('warn');
  const url = config.databaseUrl;
  if (!url) throw new Error('DATABASE_URL: required (the demo writes into that database)');
  const ds = await openDatabase(url, 2);
  const pubsub = new MemoryPubSub();
  try {
    const suffix = randomBytes(3).toString('hex');
    const email = `demo-${suffix}@example.com`;
    const password = `demo ${randomBytes(6).toString('base64url')}`;
    // Sign-up revokes nothing: the revocation listener is never started.
    const revocations = new RevocationListener(url, logger);
    const auth = new AuthService({ config, ds, logger, pubsub, revocations, loginThrottle: new LoginThrottle(), authenticator: new Authenticator(ds, config.sessionSecret, logger) });
    const signedUp = await auth.signUp({ email, password, organizationName: `Demo ${suffix}` });
    const counts = await inTenantTransaction(ds, signedUp.organization.id, (db) => history(db, now));
    return { email, password, organizationSlug: signedUp.organization.slug, token: signedUp.token, counts };
  } finally {
    await pubsub.close();
    await ds.destroy();
  }
}

interface Person {
  id: string;
  community: string;
  name: string;
  handle: string;
  company: string | null;
  qualified: boolean;
  connectedAt: number;
  stages: Array<{ stage: (typeof STAGES)[number]; at: number }>;
}

async function history(m: TenantDb, now: Date): Promise<Record<string, number>> {
  const random = prng(20261130);
  const end = now.getTime();
  const start = end - 365 * DAY;
  const communities = (await m.query(
    `INSERT INTO communities (organization_id, name, platform, qualified, alignment_score, created_at)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::boolean[], $5::float8[], $6::timestamptz[]) RETURNING id`,
    [
      m.tenantId,
      COMMUNITIES.map((c) => c.name),
      COMMUNITIES.map((c) => c.platform),
      COMMUNITIES.map((c) => c.qualified),
      COMMUNITIES.map((c) => c.alignment),
      COMMUNITIES.map(() => new Date(start - 30 * DAY)),
    ],
  )) as Array<{ id: string }>;
  const pick = weighted(random, COMMUNITIES.map((c, i) => ({ value: i, weight: c.weight })));

  // People join at a pace growing from ~1 to ~4 a day; the funnel converts better as the year goes on.
  const people: Person[] = [];
  for (let day = 0; day < 365; day++) {
    const maturity = day / 365;
    const joining = Math.floor(1 + 3 * maturity + random() * 2);
    for (let k = 0; k < joining; k++) {
      const c = pick();
      const connectedAt = start + day * DAY + Math.floor(random() * DAY);
      const stages: Person['stages'] = [{ stage: 'CONNECTED', at: connectedAt }];
      let at = connectedAt;
      const odds = [0.55, 0.25 + 0.1 * maturity, 0.08 + 0.07 * maturity, 0.2 + 0.1 * maturity];
      for (let s = 1; s < STAGES.length; s++) {
        if (random() > odds[s - 1] * (0.6 + COMMUNITIES[c].alignment * 0.5)) break;
        at += (3 + random() * 25) * DAY;
        if (at >= end) break;
        stages.push({ stage: STAGES[s], at });
      }
      const first = FIRST[Math.floor(random() * FIRST.length)];
      const last = LAST[Math.floor(random() * LAST.length)];
      people.push({
        id: randomUUID(),
        community: communities[c].id,
        name: `${first} ${last}`,
        handle: `@${first.toLowerCase()}${people.length}`,
        company: COMPANIES[Math.floor(random() * COMPANIES.length)],
        qualified: random() < 0.3 + 0.4 * COMMUNITIES[c].alignment,
        connectedAt,
        stages,
      });
    }
  }
  await insertPeople(m, people);

  // Conversations: a few per relationship, warmer the further it went.
  const talks: Array<{ relationship: string; at: number; channel: string; sentiment: number; qualified: boolean; summary: string }> = [];
  for (const p of people) {
    const reached = p.stages.length;
    const n = 1 + Math.floor(random() * (1 + reached * 1.5));
    for (let i = 0; i < n; i++) {
      const at = p.connectedAt + random() * Math.min(120 * DAY, end - p.connectedAt);
      const sentiment = Math.max(-1, Math.min(1, -0.2 + reached * 0.15 + (random() - 0.5) * 0.8));
      talks.push({ relationship: p.id, at, channel: CHANNELS[Math.floor(random() * CHANNELS.length)], sentiment: Math.round(sentiment * 100) / 100, qualified: random() < 0.25 * reached, summary: `Talked with ${p.name}` });
    }
  }
  await m.query(
    `INSERT INTO conversations (organization_id, relationship_id, occurred_at, channel, summary, sentiment, qualified, created_at)
     SELECT $1, r, o, c, s, v, q, o FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::float8[], $7::boolean[]) AS t(r, o, c, s, v, q)`,
    [m.tenantId, talks.map((t) => t.relationship), talks.map((t) => new Date(t.at)), talks.map((t) => t.channel), talks.map((t) => t.summary), talks.map((t) => t.sentiment), talks.map((t) => t.qualified)],
  );

  // Investment: hours every weekday (more at first, while the communities are being built), and weekly ad spend.
  const metrics = new Map((await m.query(`SELECT key, id FROM metric_definitions WHERE key IN ('hours_invested', 'ad_spend')`) as Array<{ key: string; id: string }>).map((r) => [r.key, r.id]));
  const points: Array<{ metric: string; at: number; value: number }> = [];
  for (let day = 0; day < 365; day++) {
    const at = start + day * DAY + 17 * 3_600_000;
    const weekday = new Date(at).getUTCDay();
    if (weekday !== 0 && weekday !== 6) points.push({ metric: metrics.get('hours_invested')!, at, value: Math.round((6 - 3 * (day / 365) + random() * 2) * 4) / 4 });
    if (weekday === 1) points.push({ metric: metrics.get('ad_spend')!, at, value: Math.round(900 - 500 * (day / 365) + random() * 200) });
  }
  await m.query(
    `INSERT INTO metric_points (organization_id, metric_id, at, value) SELECT $1, * FROM unnest($2::uuid[], $3::timestamptz[], $4::float8[])`,
    [m.tenantId, points.map((p) => p.metric), points.map((p) => new Date(p.at)), points.map((p) => p.value)],
  );
  const changes = people.reduce((n, p) => n + p.stages.length, 0);
  return { communities: communities.length, relationships: people.length, stageChanges: changes, conversations: talks.length, metricPoints: points.length };
}

/** Relationships at their connection time, and every stage they reached at its own time. */
async function insertPeople(m: TenantDb, people: Person[]): Promise<void> {
  // Issue 12 adds connected_at; the demo fills it when the column is there.
  const [{ has }] = (await m.query(
    `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'relationships' AND column_name = 'connected_at') AS has`,
  )) as Array<{ has: boolean }>;
  await m.query(
    `INSERT INTO relationships (organization_id, id, community_id, name, handle, company, stage, qualified, created_at, updated_at${has ? ', connected_at' : ''})
     SELECT $1, i, c, n, h, co, s, q, t, u${has ? ', t' : ''}
     FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::timestamptz[], $10::timestamptz[]) AS x(i, c, n, h, co, s, q, t, u)`,
    [
      m.tenantId,
      people.map((p) => p.id),
      people.map((p) => p.community),
      people.map((p) => p.name),
      people.map((p) => p.handle),
      people.map((p) => p.company),
      people.map((p) => p.stages.at(-1)!.stage),
      people.map((p) => p.qualified),
      people.map((p) => new Date(p.connectedAt)),
      people.map((p) => new Date(p.stages.at(-1)!.at)),
    ],
  );
  const changes = people.flatMap((p) => p.stages.map((s, i) => ({ id: p.id, from: i ? p.stages[i - 1].stage : null, to: s.stage, at: s.at })));
  await m.query(
    `INSERT INTO relationship_stage_changes (organization_id, relationship_id, from_stage, to_stage, changed_at)
     SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[])`,
    [m.tenantId, changes.map((c) => c.id), changes.map((c) => c.from), changes.map((c) => c.to), changes.map((c) => new Date(c.at))],
  );
}

function weighted(random: () => number, options: Array<{ value: number; weight: number }>): () => number {
  const total = options.reduce((n, o) => n + o.weight, 0);
  return () => {
    let r = random() * total;
    for (const o of options) if ((r -= o.weight) < 0) return o.value;
    return options[options.length - 1].value;
  };
}
