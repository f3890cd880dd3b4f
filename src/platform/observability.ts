import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { RequestContext } from './context.js';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** Most distinct operation names one node labels, and the longest name kept; the rest count as `other`. */
export const MAX_OPERATION_NAMES = 500;
export const MAX_OPERATION_NAME_LENGTH = 64;

/**
 * The `operation` label of an operation name: the name itself while it is a GraphQL name of at
 * most 64 characters among the first 500 distinct ones this node has seen, else `other`. Clients
 * choose names, so without this bound every new name is a new series and /metrics grows for ever.
 */
export class OperationLabels {
  private readonly known = new Set<string>();

  constructor(private readonly max = MAX_OPERATION_NAMES) {}

  label(name: string | undefined): string {
    if (name === undefined) return 'anonymous';
    if (this.known.has(name)) return name;
    if (name.length > MAX_OPERATION_NAME_LENGTH || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || this.known.size >= this.max) return 'other';
    this.known.add(name);
    return name;
  }
}

/** Prometheus metrics of one server: operations, subscriptions and the database pool. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly operations = new Counter({
    name: 'rapport_graphql_operations_total',
    help: 'GraphQL operations by operation name, type and outcome',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly durations = new Histogram({
    name: 'rapport_graphql_operation_duration_seconds',
    help: 'GraphQL operation durations by operation name',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly operationLabels = new OperationLabels();
  /** Operations the fast route (http/fast-route.ts) answered; they are counted in the two above as well. */
  readonly fastRoute = new Counter({
    name: 'rapport_graphql_fast_route_total',
    help: 'GraphQL operations answered by the fast route in front of express and Apollo (also counted in rapport_graphql_operations_total)',
    registers: [this.registry],
  });
  readonly subscriptions = new Gauge({
    name: 'rapport_open_subscriptions',
    help: 'Subscriptions open on this node',
    registers: [this.registry],
  });

  constructor(ds: DataSource) {
    const pool = () => (ds.driver as unknown as { master?: PgPool }).master;
    const poolGauge = (name: string, help: string, read: (p: PgPool) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const p = pool();
          this.set(p ? read(p) : 0);
        },
      });
    poolGauge('rapport_db_pool_connections', 'Connections in the database pool', (p) => p.totalCount);
    poolGauge('rapport_db_pool_idle', 'Idle connections in the database pool', (p) => p.idleCount);
    poolGauge('rapport_db_pool_waiting', 'Requests waiting for a database connection', (p) => p.waitingCount);
  }

  /** A gauge read when scraped. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()); } });
  }

  /** A counter read when scraped (`read` only grows). */
  counter(name: string, help: string, read: () => number): void {
    new Counter({ name, help, registers: [this.registry], collect() { this.reset(); this.inc(read()); } });
  }

  /** An Apollo plugin that counts and times every operation by name. */
  plugin(): ApolloServerPlugin<RequestContext> {
    const metrics = this;
    return {
      async requestDidStart() {
        const end = process.hrtime.bigint();
        return {
          async willSendResponse(rc) {
            // The name of the operation that ran (never a name the document does not hold), bounded.
            const operation = rc.operation ? metrics.operationLabels.label(rc.operation.name?.value) : 'none';
            const type = rc.operation?.operation ?? 'unknown';
            const outcome = rc.errors?.length ? 'error' : 'ok';
            metrics.operations.inc({ operation, type, outcome });
            metrics.durations.observe({ operation, type }, Number(process.hrtime.bigint() - end) / 1e9);
          },
        };
      },
    };
  }
}
