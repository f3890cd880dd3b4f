import type { PubSub } from '../../platform/pubsub/pubsub.js';
import { CONVERSATION_FIELDS, ConversationsImport } from './conversations.import.js';
import type { ImportKindHandler } from './import-kind.js';
import type { RowFields } from './import-parsers.js';
import { ImportKind } from './import.types.js';
import { METRIC_FIELDS, MetricsImport } from './metrics.import.js';
import { RELATIONSHIP_FIELDS, RelationshipsImport } from './relationships.import.js';

const KINDS: Record<ImportKind, { fields: RowFields; make: (pubsub: PubSub) => ImportKindHandler }> = {
  [ImportKind.METRICS]: { fields: METRIC_FIELDS, make: (pubsub) => new MetricsImport(pubsub) },
  [ImportKind.RELATIONSHIPS]: { fields: RELATIONSHIP_FIELDS, make: (pubsub) => new RelationshipsImport(pubsub) },
  [ImportKind.CONVERSATIONS]: { fields: CONVERSATION_FIELDS, make: (pubsub) => new ConversationsImport(pubsub) },
};

/** A fresh handler of a kind (it gathers the job's events). */
export function handlerFor(kind: ImportKind, pubsub: PubSub): ImportKindHandler {
  return KINDS[kind].make(pubsub);
}

/** The fields of a kind's rows (NDJSON keys and CSV columns). */
export function handlerFields(kind: ImportKind): RowFields {
  return KINDS[kind].fields;
}
