import type { GraphQLClient } from '../support/graphql-client';
import type { TestServer } from '../support/test-server';

export const DEFINE = `mutation ($input: DefineMetricInput!) {
  defineMetric(input: $input) { id key name unit aggregation description builtIn createdAt }
}`;
export const RECORD = `mutation ($points: [MetricPointInput!]!) { recordMetrics(points: $points) { accepted duplicates } }`;
export const SERIES = `query ($metricKey: String!, $from: DateTime!, $to: DateTime!, $interval: Interval!, $communityId: ID) {
  metricSeries(metricKey: $metricKey, from: $from, to: $to, interval: $interval, communityId: $communityId) { start value count }
}`;

/** Defines a metric through GraphQL and returns its id. */
export async function defineMetric(client: GraphQLClient, key: string, aggregation = 'SUM', extra: Record<string, unknown> = {}): Promise<string> {
  const data = await client.data(DEFINE, { input: { key, name: key, aggregation, ...extra } });
  return data.defineMetric.id;
}

/** Records points through GraphQL. */
export async function record(client: GraphQLClient, points: Array<Record<string, unknown>>): Promise<{ accepted: number; duplicates: number }> {
  return (await client.data(RECORD, { points })).recordMetrics;
}

/** A metric's series through GraphQL. */
export async function series(
  client: GraphQLClient,
  vars: { metricKey: string; from: string; to: string; interval: string; communityId?: string },
): Promise<Array<{ start: string; value: number | null; count: number }>> {
  return (await client.data(SERIES, vars)).metricSeries;
}

/** Sets the organization's time zone through GraphQL. */
export async function setTimezone(client: GraphQLClient, timezone: string): Promise<void> {
  await client.data(`mutation ($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { timezone } }`, { input: { timezone } });
}

/** How many points an organization has, read as the owner (no RLS). */
export async function pointCount(t: TestServer, organizationId: string): Promise<number> {
  const [row] = await t.ds.query(`SELECT count(*)::int AS n FROM metric_points WHERE organization_id = $1`, [organizationId]);
  return row.n;
}
