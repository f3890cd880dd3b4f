import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { request } from 'node:http';
import { importPhases, type ImportPhases } from '../../src/modules/imports/import-phases';
import type { GraphQLClient } from '../support/graphql-client';

/** Posts a body to /v1/imports and answers the status and the JSON body. */
export async function postImport(
  base: string,
  query: string,
  contentType: string,
  body: string,
  key?: string,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/v1/imports?${query}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(key ? { 'x-api-key': key } : {}) },
    body,
  });
  return { status: res.status, json: await res.json() };
}

/** A raw HTTP POST with headers of the caller's choice (a lying content-length, a body cut short). */
export function rawPost(base: string, path: string, headers: Record<string, string | number>, writeBody: (req: ReturnType<typeof request>) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    writeBody(req);
  });
}

export const JOB = `query ($id: ID!) { importJob(id: $id) { id kind status rows processed accepted duplicates errors { line message } createdAt startedAt finishedAt } }`;

/** Polls importJob until it finished. */
export async function finished(client: GraphQLClient, id: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { importJob } = await client.data(JOB, { id });
    if (importJob && (importJob.status === 'SUCCEEDED' || importJob.status === 'FAILED')) return importJob;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${importJob?.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** NDJSON of `n` points of `metricKey`, a minute apart from 2026-01-01, keys `<prefix>-<i>`. */
export function pointsNdjson(n: number, metricKey: string, prefix = 'k'): string {
  const start = Date.parse('2026-01-01T00:00:00Z');
  let out = '';
  for (let i = 0; i < n; i++) {
    out += `${JSON.stringify({ metricKey, value: i % 10, at: new Date(start + i * 60_000).toISOString(), idempotencyKey: `${prefix}-${i}` })}\n`;
  }
  return out;
}

/** A metric NDJSON upload that claims twice its length, sends `body`, and is cut `afterMs` later: 'aborted' once the client gives up. */
export function uploadCutShort(base: string, key: string, body: string, afterMs: number): Promise<number | 'aborted'> {
  const headers = { 'content-type': 'application/x-ndjson', 'x-api-key': key, 'content-length': body.length * 2 };
  return rawPost(base, '/v1/imports?kind=metrics', headers, (req) => {
    req.write(body);
    setTimeout(() => req.destroy(), afterMs);
  }).catch(() => 'aborted' as const);
}

/**
 * The phases of each metric import job of this process (the `importPhases` channel), heard from
 * the describe block's beforeAll to its afterAll; `of` waits a moment for a job's, which are
 * published just after its status commits.
 */
export function hearImportPhases(): { of(jobId: string): Promise<ImportPhases | undefined> } {
  const heard = new Map<string, ImportPhases>();
  const hear = (message: unknown) => heard.set((message as ImportPhases).jobId, message as ImportPhases);
  beforeAll(() => subscribe(importPhases.name, hear));
  afterAll(() => void unsubscribe(importPhases.name, hear));
  return {
    async of(jobId: string) {
      for (let i = 0; i < 100 && !heard.has(jobId); i++) await new Promise((r) => setTimeout(r, 50));
      return heard.get(jobId);
    },
  };
}
