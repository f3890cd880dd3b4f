import type { PubSub as SchemaPubSub } from 'type-graphql';

/**
 * type-graphql insists on a PubSub when a schema has subscriptions, for topic-based ones. Ours
 * all bring their own `subscribe` (tenant-scoped: each feature's `<name>.feed.ts`), so topic-based
 * subscriptions are refused outright rather than silently left tenant-blind.
 */
export const NO_TOPIC_PUBSUB: SchemaPubSub = {
  publish() {
    throw new Error('topic-based subscriptions are not used: publish with scope.publishAfterCommit');
  },
  subscribe() {
    throw new Error('topic-based subscriptions are not used: give @Subscription a subscribe function');
  },
};
