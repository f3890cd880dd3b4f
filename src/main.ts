import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './platform/logger.js';
import { createServer } from './server.js';

/** Process entry: configuration, database, server, and a graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  const server = await createServer(config, { logger });
  process.stdout.write(`Rapport is listening on ${server.url}/graphql\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    try {
      // SIGTERM (an orchestrator) drains keep-alive connections; SIGINT (a terminal) stops at once.
      await server.close({ idleGraceMs: signal === 'SIGTERM' ? config.shutdownGraceMs : 0 });
      process.exit(0);
    } catch (error) {
      logger.error('shutdown failed', { error });
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Rapport failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
