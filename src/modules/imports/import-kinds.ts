import type { PubSub } from '../../platform/pubsub/pubsub.js';
import type { ImportKindHandler } from './import-kind.js';
import type { RowFields } from './import-parsers.js';
import { ImportKind } from './import.types.js';
import { MetricsImport } from './metrics.import.js';

const MAKERS: Partial<Record<ImportKind, (pubsub: PubSub) => ImportKindHandler>> = {
  [ImportKind.METRICS]: (pubsub) => new MetricsImport(pubsub),
};

/** A fresh handler (it gathers a job's events) for a kind, or null when the kind cannot be imported. */
export function handlerFor(kind: ImportKind, pubsub: PubSub): ImportKindHandler | null {
  return MAKERS[kind]?.(pubsub) ?? null;
}

/** The fields of a kind's rows. */
export function handlerFields(kind: ImportKind): RowFields {
  return handlerFor(kind, undefined as unknown as PubSub)!.fields;
}
