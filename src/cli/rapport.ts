import { Command, InvalidArgumentError } from 'commander';
import { readEnv } from '../config.js';
import { makeDemo } from './demo.js';
import { ServerError } from './import-client.js';
import { IMPORT_KINDS, importFile } from './import-command.js';
import { migrateDatabase } from './migrate-command.js';

/** A mistake in how the command was called (exit 2). */
class UsageError extends Error {}

/** The `rapport` command: import, demo, migrate. Answers the process's exit code. */
export async function main(argv: string[]): Promise<number> {
  const env = readEnv();
  let code = 0;
  const program = new Command('rapport')
    .description('Rapport, return on relationships: bulk imports, a demo organization, migrations.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('import')
    .description('Upload a file (NDJSON, or CSV with a header row when it ends in .csv), follow its job, print the counts or the errors.')
    .argument('<kind>', `what the file holds: ${IMPORT_KINDS.join(', ')}`, (kind: string) => {
      if (!(IMPORT_KINDS as readonly string[]).includes(kind)) throw new InvalidArgumentError(`must be one of ${IMPORT_KINDS.join(', ')}`);
      return kind;
    })
    .argument('<file>', 'the file to import')
    .option('--url <url>', "the server's base URL (default: RAPPORT_URL)", env.RAPPORT_URL)
    .option('--key <key>', 'an API key with INGEST and READ (default: RAPPORT_API_KEY)', env.RAPPORT_API_KEY)
    .action(async (kind: string, file: string, options: { url?: string; key?: string }) => {
      if (!options.url) throw new UsageError('give the server with --url or RAPPORT_URL (such as http://127.0.0.1:4000)');
      if (!options.key) throw new UsageError('give an API key with --key or RAPPORT_API_KEY');
      code = await importFile({ url: options.url, key: options.key }, kind, file, {
        out: (t) => process.stdout.write(t),
        err: (t) => process.stderr.write(t),
        tty: Boolean(process.stderr.isTTY),
      });
    });

  program
    .command('demo')
    .description('Make an organization with a year of realistic history in DATABASE_URL, and print how to sign in.')
    .action(async () => {
      const demo = await makeDemo();
      const counts = Object.entries(demo.counts).map(([k, v]) => `${v} ${k}`).join(', ');
      process.stdout.write(
        `Made a demo organization with a year of history: ${counts}.\n` +
          `Sign in with logIn(input: {email: "${demo.email}", password: "${demo.password}", organizationSlug: "${demo.organizationSlug}"})\n` +
          `or use this session token: ${demo.token}\n` +
          `Then try: { roi(from: "${new Date(Date.now() - 365 * 86_400_000).toISOString()}", to: "${new Date().toISOString()}", interval: MONTH) { roi series { start roi } } }\n`,
      );
    });

  program
    .command('migrate')
    .description('Apply pending database migrations to DATABASE_URL.')
    .action(async () => {
      const applied = await migrateDatabase();
      process.stdout.write(`migrations applied: ${applied.join(', ')}\n`);
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    const e = error as { code?: string; exitCode?: number; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    if (e.code?.startsWith('commander.')) return e.exitCode ?? 2;
    if (error instanceof UsageError) {
      process.stderr.write(`rapport: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ServerError) {
      process.stderr.write(`rapport: the server refused: ${error.message}${error.code ? ` (${error.code})` : ''}\n`);
      return 1;
    }
    process.stderr.write(`rapport: ${e.message ?? String(error)}\n`);
    return 1;
  }
}

main(process.argv).then((code) => process.exit(code));
