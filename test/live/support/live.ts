import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { RapportServer } from '../../../src/server';
import { apiKey, signUp, type Tenant } from '../../support/builders';
import type { TestServer } from '../../support/test-server';

/** A close as the client saw it. */
export interface Closed {
  code: number;
  reason: string;
}

/** Waits until `condition` holds, checking every 5 ms; fails with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The server's rapport_open_subscriptions gauge. */
export async function openSubscriptions(server: RapportServer): Promise<number> {
  return (await server.metrics.subscriptions.get()).values[0]?.value ?? 0;
}

/** How many connections the server has closed as slow consumers (4413), from its metrics. */
export async function closedBySlowConsumer(server: RapportServer): Promise<number> {
  const metric = await server.metrics.registry.getSingleMetric('rapport_live_connections_closed_total')!.get();
  return metric.values.find((v) => v.labels.reason === 'SlowConsumer')?.value ?? 0;
}

/** The ws:// endpoint of a server's http:// base URL. */
export function wsUrl(base: string): string {
  return `${base.replace(/^http/, 'ws')}/graphql`;
}

/** One subscription's results as they arrive. */
export class Subscription<T = any> {
  readonly results: Array<{ data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }> = [];
  error?: unknown;
  completed = false;
  private readonly waiters = new Set<() => void>();
  unsubscribe: () => void = () => {};

  /** Data of every result so far. */
  get data(): T[] {
    return this.results.filter((r) => r.data).map((r) => r.data!);
  }

  /** The sink graphql-ws calls. */
  sink() {
    const wake = () => this.waiters.forEach((w) => w());
    return {
      next: (value: any) => {
        this.results.push(value);
        wake();
      },
      error: (error: unknown) => {
        this.error = error;
        wake();
      },
      complete: () => {
        this.completed = true;
        wake();
      },
    };
  }

  /** Resolves once `n` results have arrived (fails on an error, an early end, or the timeout). */
  async next(n = this.results.length + 1, timeoutMs = 10_000): Promise<T[]> {
    await this.until(() => this.results.length >= n, `${n} result(s)`, timeoutMs, true);
    return this.data;
  }

  /** Resolves once the subscription ended (completed or failed). */
  async ended(timeoutMs = 10_000): Promise<void> {
    await this.until(() => this.completed || this.error !== undefined, 'the end of the subscription', timeoutMs, false);
  }

  private until(done: () => boolean, what: string, timeoutMs: number, failOnEnd: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done()) return finish(resolve);
        if (failOnEnd && (this.completed || this.error !== undefined)) {
          return finish(() => reject(new Error(`subscription ended before ${what}: ${JSON.stringify(this.error ?? this.results)}`)));
        }
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.results)}`))), timeoutMs);
      const finish = (f: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        f();
      };
      this.waiters.add(check);
      check();
    });
  }
}

/** A graphql-ws client (the real one, on `ws`) that remembers how its socket closed. */
export class LiveClient {
  readonly client: Client;
  readonly closes: Closed[] = [];
  private closeWaiters: Array<(c: Closed) => void> = [];

  /** `origin`: the Origin header the socket sends, as a browser on that origin would. */
  constructor(base: string, authorization?: string, options: { connectionParams?: Record<string, unknown>; origin?: string } = {}) {
    const origin = options.origin;
    this.client = createClient({
      url: wsUrl(base),
      webSocketImpl: origin
        ? class extends WebSocket {
            constructor(address: string, protocols?: string | string[]) {
              super(address, protocols, { origin });
            }
          }
        : WebSocket,
      connectionParams: options.connectionParams ?? (authorization === undefined ? {} : { authorization }),
      retryAttempts: 0,
      lazy: true,
      on: {
        closed: (event) => {
          const e = event as { code: number; reason: string };
          const closed = { code: e.code, reason: String(e.reason) };
          this.closes.push(closed);
          this.closeWaiters.splice(0).forEach((w) => w(closed));
        },
      },
    });
  }

  /** Starts a subscription (or any operation) and collects its results. */
  subscribe<T = any>(query: string, variables?: Record<string, unknown>): Subscription<T> {
    const sub = new Subscription<T>();
    sub.unsubscribe = this.client.subscribe({ query, variables }, sub.sink());
    return sub;
  }

  /** Resolves with the first close of the socket. */
  closed(timeoutMs = 10_000): Promise<Closed> {
    if (this.closes.length) return Promise.resolve(this.closes[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for the socket to close')), timeoutMs);
      this.closeWaiters.push((c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  }

  dispose(): Promise<void> {
    return Promise.resolve(this.client.dispose());
  }
}

export const METRIC_UPDATED = `subscription ($metricKey: String, $communityId: ID) {
  metricUpdated(metricKey: $metricKey, communityId: $communityId) { metricKey communityId at value committedAt }
}`;

export const RECORD = `mutation ($points: [MetricPointInput!]!) { recordMetrics(points: $points) { accepted duplicates } }`;

export const DEFINE = `mutation ($input: DefineMetricInput!) { defineMetric(input: $input) { key } }`;

/** A tenant for live tests: Acme, with a SUM metric of its own (`leads_won`) and a READ key's secret. */
export async function liveTenant(t: TestServer): Promise<{ acme: Tenant; read: string }> {
  const acme = await signUp(t, 'Acme');
  await acme.client.data(DEFINE, { input: { key: 'leads_won', name: 'Leads won', aggregation: 'SUM' } });
  return { acme, read: (await apiKey(acme, ['READ'])).secret };
}
