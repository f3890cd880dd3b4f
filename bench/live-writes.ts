/** Light helpers of the live benches' helper processes (nothing of the server is loaded here). */

/** Calls `write(i)` every `everyMs` for `durationMs` on a fixed schedule (no drift); resolves when all are done. */
export async function paced(everyMs: number, durationMs: number, write: (i: number) => Promise<unknown>): Promise<{ writes: number; failed: number }> {
  const start = performance.now();
  const inFlight: Array<Promise<unknown>> = [];
  let failed = 0;
  for (let i = 0; i * everyMs < durationMs; i++) {
    const due = start + i * everyMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(write(i).catch(() => failed++));
  }
  await Promise.all(inFlight);
  return { writes: inFlight.length, failed };
}

/** Records one point over HTTP; rejects on GraphQL errors. */
export async function recordPoint(url: string, token: string, metricKey: string, value: number, at = new Date()): Promise<void> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: `mutation ($p: [MetricPointInput!]!) { recordMetrics(points: $p) { accepted } }`,
      variables: { p: [{ metricKey, value, at: at.toISOString() }] },
    }),
  });
  const body = (await res.json()) as { errors?: unknown[] };
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
}
