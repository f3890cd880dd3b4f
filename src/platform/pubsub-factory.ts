import type { Config } from '../config.js';
import type { Logger } from './logger.js';
import { MemoryPubSub, type PubSub } from './pubsub.js';

/** The PubSub for this configuration: in-process without REDIS_URL. */
export function createPubSub(_config: Config, _logger: Logger): PubSub {
  return new MemoryPubSub();
}
