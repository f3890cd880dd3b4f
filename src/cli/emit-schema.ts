import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildAppSchema } from '../schema.js';

/** Path of the committed SDL, relative to the project root. */
export const SCHEMA_FILE = join('schema', 'schema.graphql');

/** The SDL the code defines, sorted so the file diffs cleanly. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildAppSchema()))}\n`;
}

async function run(): Promise<void> {
  const sdl = await printAppSchema();
  if (process.argv.includes('--check')) {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (committed !== sdl) {
      process.stderr.write(`${SCHEMA_FILE} is stale: run \`npm run schema\` and commit it\n`);
      process.exit(1);
    }
    process.stdout.write(`${SCHEMA_FILE} is current\n`);
    return;
  }
  writeFileSync(SCHEMA_FILE, sdl);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}

if (require.main === module) void run();
