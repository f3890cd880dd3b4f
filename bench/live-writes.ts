import { Agent, request } from 'node:http';
import { Histogram } from './live-histogram.js';

/** Light helpers of the live benches' helper processes (nothing of the server is loaded here). */

/** A write counts as committed on schedule when its answer (after commit) came within this long of its due time. */
export const ON_SCHEDULE_MS = 100;

/**
 * Calls `write(i)` every `everyMs` for `durationMs` on a fixed schedule (no drift); resolves when
 * all are done, with how long each took from its due time to its answer and how many succeeded
 * within ON_SCHEDULE_MS of it.
 */
export async function paced(
  everyMs: number,
  durationMs: number,
  write: (i: number) => Promise<unknown>,
): Promise<{ writes: number; failed: number; failures: string[]; onSchedule: number; answerMs: ReturnType<Histogram['summary']> }> {
  const start = performance.now();
  const inFlight: Array<Promise<unknown>> = [];
  const answers = new Histogram();
  let failed = 0;
  let onSchedule = 0;
  const failures = new Map<string, number>();
  for (let i = 0; i * everyMs < durationMs; i++) {
    const due = start + i * everyMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      write(i).then(
        () => {
          const took = performance.now() - due;
          answers.add(took);
          if (took <= ON_SCHEDULE_MS) onSchedule++;
        },
        (e: unknown) => {
          answers.add(performance.now() - due);
          failed++;
          const reason = String((e as { cause?: unknown }).cause ?? e).slice(0, 200);
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { writes: inFlight.length, failed, failures: [...failures].map(([reason, n]) => `${n}x ${reason}`), onSchedule, answerMs: answers.summary() };
}

/** Keep-alive connections for the writes (node's http: a writer costs the machine little, and the bench measures the server). */
const agent = new Agent({ keepAlive: true });

/** Records one point over HTTP; rejects on GraphQL errors. */
export function recordPoint(url: string, token: string, metricKey: string, value: number, at = new Date()): Promise<void> {
  const body = JSON.stringify({
    query: `mutation ($p: [MetricPointInput!]!) { recordMetrics(points: $p) { accepted } }`,
    variables: { p: [{ metricKey, value, at: at.toISOString() }] },
  });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          try {
            const answer = JSON.parse(Buffer.concat(chunks).toString()) as { errors?: unknown[] };
            if (answer.errors?.length || res.statusCode !== 200) reject(new Error(`${res.statusCode}: ${JSON.stringify(answer.errors)}`));
            else resolve();
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
