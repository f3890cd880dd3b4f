import type { Config } from '../../config.js';
import type { Logger } from '../logger.js';
import { MemoryPubSub } from './memory-pubsub.js';
import type { PubSub } from './pubsub.js';
import { RedisPubSub } from './redis-pubsub.js';

/** The PubSub for this configuration: through Redis with REDIS_URL (several nodes), in-process without. */
export function createPubSub(config: Config, logger: Logger): PubSub {
  if (config.redisUrl) return new RedisPubSub(config.redisUrl, logger);
  return new MemoryPubSub((error) => logger.error('live listener failed', { error }));
}
