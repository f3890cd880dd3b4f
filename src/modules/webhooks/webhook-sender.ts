import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { pinnedLookup, safeAddress, UnsafeUrlError, type Resolver } from './webhook-address.js';

/** An answer slower than this is a failed attempt. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Bytes of an answer read at most (the rest is dropped). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks libraries read it. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** What is sent: the body and the delivery's id (the webhook-id header). */
export interface OutgoingDelivery {
  url: string;
  deliveryId: string;
  body: string;
  /** The current secret first, then the previous one while it still signs after a rotation. */
  secrets: string[];
}

/** How an attempt ended. */
export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

/** The Standard Webhooks headers of a delivery at `now`, signed by each secret (space-separated signatures). */
export function signedHeaders(d: Pick<OutgoingDelivery, 'deliveryId' | 'body' | 'secrets'>, now: Date): Record<string, string> {
  const signature = d.secrets.map((s) => new StandardWebhook(s).sign(d.deliveryId, now, d.body)).join(' ');
  return {
    'webhook-id': d.deliveryId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

/**
 * Makes one attempt: resolves and checks the host (unless private networks are allowed), connects
 * to that very address, POSTs the signed body, follows no redirect, and counts only a 2xx answer
 * within DELIVERY_TIMEOUT_MS as delivered. Never throws.
 */
export async function sendDelivery(
  d: OutgoingDelivery,
  options: { allowPrivate: boolean; timeoutMs?: number; resolve?: Resolver },
): Promise<AttemptResult> {
  const url = new URL(d.url);
  if (!options.allowPrivate && url.protocol !== 'https:') return { ok: false, statusCode: null, error: 'refused: only https URLs are called' };
  let pinned;
  try {
    pinned = await safeAddress(url, options.allowPrivate, options.resolve);
  } catch (error) {
    return { ok: false, statusCode: null, error: `refused: ${error instanceof UnsafeUrlError ? error.message : 'the host does not resolve'}` };
  }
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const headers = { ...signedHeaders(d, new Date()), 'content-type': 'application/json', 'user-agent': 'Rapport-Webhooks/1' };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, statusCode: null, error: `no answer within ${timeoutMs / 1000} s` }), timeoutMs);
    const req = send(url, { method: 'POST', headers, lookup: pinnedLookup(pinned), agent: false }, (res) => {
      const statusCode = res.statusCode ?? 0;
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) res.destroy();
      });
      const done = () => {
        const ok = statusCode >= 200 && statusCode < 300;
        finish({ ok, statusCode, error: ok ? null : `the endpoint answered HTTP ${statusCode}` });
      };
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.on('error', (error) => finish({ ok: false, statusCode: null, error: `could not connect: ${error.message}` }));
    req.end(d.body);
  });
}
