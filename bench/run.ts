import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run bench -- NAME` runs bench/NAME.bench.ts (compiled); without NAME it lists them.
 * Each bench prints its figures as one JSON object on its last line.
 */
async function main(): Promise<void> {
  const name = process.argv[2];
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .map((f) => f.replace(/\.bench\.js$/, ''));
  if (!name || !available.includes(name)) {
    process.stderr.write(`usage: npm run bench -- NAME, one of: ${available.join(', ')}\n`);
    process.exit(name ? 1 : 0);
  }
  const mod = (await import(join(__dirname, `${name}.bench.js`))) as { run: (args: string[]) => Promise<void> };
  await mod.run(process.argv.slice(3));
  process.exit(0);
}

void main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
