import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Where and as whom the client talks to a Rapport server. */
export interface ServerAddress {
  /** Base URL, such as http://127.0.0.1:4000. */
  url: string;
  /** An API key (or session token) holding INGEST and READ. */
  key: string;
}

/** An import job as the client reads it. */
export interface ClientImportJob {
  id: string;
  kind: string;
  status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  rows: number;
  processed: number;
  accepted: number;
  duplicates: number;
  errors: Array<{ line: number; message: string }>;
}

/** A refusal of the server, with its message and code. */
export class ServerError extends Error {
  constructor(message: string, readonly status: number, readonly code?: string) {
    super(message);
  }
}

/** The content type of an import file, by its name (.csv is CSV, anything else NDJSON). */
export function contentTypeOf(file: string): string {
  return extname(file).toLowerCase() === '.csv' ? 'text/csv' : 'application/x-ndjson';
}

/** Streams a file to POST /v1/imports; `onBytes` hears the bytes sent so far. Answers the job id. */
export async function uploadImport(server: ServerAddress, kind: string, file: string, onBytes: (sent: number, total: number) => void = () => {}): Promise<string> {
  const { size } = await stat(file);
  const target = new URL(`/v1/imports?kind=${encodeURIComponent(kind)}`, server.url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      onBytes(sent, size);
      done(null, chunk);
    },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      target,
      { method: 'POST', headers: { 'content-type': contentTypeOf(file), 'content-length': size, 'x-api-key': server.key } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    // A server that refuses early (401, 415) answers before the body is sent: its answer wins over the broken upload.
    const late = (error: unknown) => setTimeout(() => reject(error), 200);
    req.on('error', late);
    pipeline(createReadStream(file), counter, req).catch(late);
  });
  const { status, body } = await answer;
  const json = parseJson(body);
  if (status !== 202) throw serverError(status, json, body);
  return (json as { id: string }).id;
}

/** Runs a GraphQL operation with the key. */
export async function graphql<T>(server: ServerAddress, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(new URL('/graphql', server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': server.key },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  const json = parseJson(text) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> } | null;
  if (!json || json.errors?.length || !json.data) throw serverError(res.status, json, text);
  return json.data;
}

const JOB_FIELDS = 'id kind status rows processed accepted duplicates errors { line message }';

/** Polls a job until it SUCCEEDED or FAILED, telling `onUpdate` each state seen. */
export async function followImport(server: ServerAddress, id: string, onUpdate: (job: ClientImportJob) => void = () => {}, everyMs = 250): Promise<ClientImportJob> {
  for (;;) {
    const { importJob } = await graphql<{ importJob: ClientImportJob | null }>(server, `query ($id: ID!) { importJob(id: $id) { ${JOB_FIELDS} } }`, { id });
    if (!importJob) throw new ServerError(`import job ${id} not found`, 404, 'NOT_FOUND');
    onUpdate(importJob);
    if (importJob.status === 'SUCCEEDED' || importJob.status === 'FAILED') return importJob;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function serverError(status: number, json: unknown, text: string): ServerError {
  const first = (json as { errors?: Array<{ message: string; extensions?: { code?: string } }> } | null)?.errors?.[0];
  return new ServerError(first?.message ?? `HTTP ${status}: ${text.slice(0, 200)}`, status, first?.extensions?.code);
}
