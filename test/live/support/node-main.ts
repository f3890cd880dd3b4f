import { loadConfig } from '../../../src/config';
import { createServer } from '../../../src/server';

/**
 * A second server node in its own process, for the multi-node tests: configured by the
 * environment like `npm start`, prints its URL, and stops on SIGTERM or when its parent goes.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, { port: 0 });
  const server = await createServer(config);
  process.stdout.write(`NODE_READY ${server.url}\n`);
  const stop = () => void server.close().then(() => process.exit(0), () => process.exit(1));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`node failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
