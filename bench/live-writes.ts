/** Light helpers of the live benches' helper processes (nothing of the server is loaded here). */

/** Calls `write(i)` every `everyMs` for `durationMs` on a fixed schedule (no drift); resolves when all are done. */
export async function paced(
  everyMs: number,
  durationMs: number,
  write: (i: number) => Promise<unknown>,
): Promise<{ writes: number; failed: number; failures: string[] }> {
  const start = performance.now();
  const inFlight: Array<Promise<unknown>> = [];
  let failed = 0;
  const failures = new Map<string, number>();
  for (let i = 0; i * everyMs < durationMs; i++) {
    const due = start + i * everyMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      write(i).catch((e: unknown) => {
        failed++;
        const reason = String((e as { cause?: unknown }).cause ?? e).slice(0, 200);
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
      }),
    );
  }
  await Promise.all(inFlight);
  return { writes: inFlight.length, failed, failures: [...failures].map(([reason, n]) => `${n}x ${reason}`) };
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
