import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { GraphQLClient } from '../support/graphql-client';

/** One request the receiver got, with whether the secrets it knows verified it. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: { type: string; timestamp: string; data: any };
  verified: boolean;
  status: number;
}

/**
 * A real HTTP endpoint that verifies every request with the `standardwebhooks` package, as a
 * partner's receiver would, and answers what `answer` says (200 by default).
 */
export class Receiver {
  readonly received: Received[] = [];
  secrets: string[] = [];
  answer: (r: Omit<Received, 'status'>, index: number) => number = () => 200;
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        const headers = req.headers;
        const verified = this.secrets.some((s) => {
          try {
            new Webhook(s).verify(body, headers as Record<string, string>);
            return true;
          } catch {
            return false;
          }
        });
        const seen = { path: req.url ?? '', headers, body, json: JSON.parse(body || 'null'), verified };
        const status = this.answer(seen, this.received.length);
        this.received.push({ ...seen, status });
        if (status >= 300 && status < 400) res.setHeader('location', '/redirected');
        res.statusCode = status;
        res.end('ok');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Requests for one delivery (by webhook-id). */
  of(deliveryId: string): Received[] {
    return this.received.filter((r) => r.headers['webhook-id'] === deliveryId);
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

export const CREATE_WEBHOOK = `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url events enabled description createdAt } } }`;
export const DELIVERIES = `query ($id: ID!, $status: WebhookDeliveryStatus, $first: Int) {
  webhookDeliveries(webhookId: $id, status: $status, first: $first) {
    totalCount edges { node { id webhookId event status attempts lastStatusCode lastError createdAt deliveredAt nextAttemptAt } }
  }
}`;
export const ALL_EVENTS = ['METRICS_RECORDED', 'GOAL_REACHED', 'RELATIONSHIP_STAGE_CHANGED', 'IMPORT_FINISHED', 'ROI_MODEL_UPDATED'];

/** Registers a webhook and returns its id and secret. */
export async function createWebhook(client: GraphQLClient, url: string, events = ALL_EVENTS): Promise<{ id: string; secret: string }> {
  const { createWebhook: created } = await client.data(CREATE_WEBHOOK, { input: { url, events } });
  return { id: created.webhook.id, secret: created.secret };
}

/** The webhook's deliveries, newest first. */
export async function deliveries(client: GraphQLClient, id: string, status?: string): Promise<any[]> {
  const data = await client.data(DELIVERIES, { id, status, first: 100 });
  return data.webhookDeliveries.edges.map((e: { node: unknown }) => e.node);
}

/** Polls until `ok` holds. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
