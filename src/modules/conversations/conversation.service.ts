import type { TenantScope } from '../../platform/context.js';
import { check, NotFoundError } from '../../platform/errors.js';
import { DATA_CHANGED, GRAPH_WRITTEN, type DataChangedEvent } from '../communities/community.events.js';
import { pageOf } from '../../platform/pagination.js';
import { optionalRange, optionalText } from '../../platform/input.js';
import { strengthOf } from '../relationships/relationship.loaders.js';
import { RelationshipService } from '../relationships/relationship.service.js';
import type { Projection } from '../../platform/sql/projection.js';
import { CONVERSATION_ROW } from './conversation.table.js';
import { type Conversation } from './conversation.types.js';
import type { LogConversationInput } from './conversation.inputs.js';
import { relationshipConversationPages, relationshipConversationTotals } from './conversation.loaders.js';
import { connectionOf, type Connection } from '../../platform/sql/connection.js';

/** How far in the future an occurredAt may be, for clients whose clocks run ahead. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** Conversations of the caller's organization's relationships. */
export class ConversationService {
  constructor(private readonly scope: TenantScope) {}

  /**
   * A page of one relationship's conversations in the order they were logged, batched with its siblings'.
   * `columns`: what the client's selection reads (nodeProjection), all when left out.
   */
  async ofRelationship(
    relationshipId: string,
    first: number | null | undefined,
    after: string | null | undefined,
    columns: Projection = CONVERSATION_ROW,
  ): Promise<Connection<Conversation>> {
    const page = pageOf(first, after);
    const rows = await this.scope.loader(relationshipConversationPages).load({ parentId: relationshipId, page, filter: columns });
    return connectionOf(rows, page, () => this.scope.loader(relationshipConversationTotals).load({ parentId: relationshipId, filter: null }));
  }

  /** Logs a conversation with the person of a relationship (archived communities' ones included). */
  async log(input: LogConversationInput): Promise<Conversation> {
    check(input.occurredAt.getTime() <= Date.now() + CLOCK_SKEW_MS, 'occurredAt', 'occurredAt must not be in the future');
    const values = [
      input.occurredAt,
      optionalText(input.channel, 'channel', 100),
      optionalText(input.summary, 'summary', 10_000),
      optionalRange(input.sentiment, 'sentiment', -1, 1),
      input.qualified ?? false,
    ];
    const relationship = await new RelationshipService(this.scope).find(input.relationshipId);
    if (!relationship) throw new NotFoundError('Relationship', input.relationshipId);
    const db = await this.scope.db();
    const [row]: Conversation[] = CONVERSATION_ROW.hydrate(
      await db.query(
        `INSERT INTO conversations AS v (organization_id, relationship_id, occurred_at, channel, summary, sentiment, qualified)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${CONVERSATION_ROW.sql}`,
        [db.tenantId, relationship.id, ...values],
      ),
    );
    this.scope.loader(strengthOf).clear(relationship.id);
    this.scope.loader(relationshipConversationPages).clearAll();
    this.scope.loader(relationshipConversationTotals).clearAll();
    const event: DataChangedEvent = { kind: 'conversation', id: row.id, communityId: relationship.communityId, at: row.occurredAt.toISOString() };
    this.scope.publishAfterCommit(DATA_CHANGED, event);
    await GRAPH_WRITTEN.run(db, { from: event.at, to: event.at });
    return row;
  }
}
