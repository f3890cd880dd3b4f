// Bundles GraphiQL (React, the graphiql package, graphql-ws) into dist/graphiql/, which the server
// serves itself at GET /graphql for browsers: no CDN, works offline. Run by `npm run build`;
// skips the work when the bundle is newer than its inputs.
import { build } from 'esbuild';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'web', 'graphiql', 'app.jsx');
const outdir = join(root, 'dist', 'graphiql');
const output = join(outdir, 'graphiql.js');
const inputs = [entry, fileURLToPath(import.meta.url), join(root, 'package-lock.json')];

const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);
if (existsSync(output) && existsSync(join(outdir, 'graphiql.css')) && inputs.every((f) => mtime(f) <= mtime(output))) {
  process.exit(0);
}
await build({
  entryPoints: { graphiql: entry },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  outdir,
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.js': 'jsx', '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl' },
  jsx: 'transform',
  legalComments: 'external',
  logLevel: 'warning',
});
console.log(`GraphiQL bundled into ${outdir}`);
