#!/usr/bin/env node
'use strict';
// The `rapport` command. The TypeScript sources compile to dist/; a fresh checkout has no dist/
// yet, so the first run builds it (with the project's own TypeScript) and later runs reuse it.
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'src', 'cli', 'rapport.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const stale = !existsSync(entry) || (existsSync(join(root, 'src')) && newestSource(join(root, 'src')) > statSync(entry).mtimeMs);
if (stale) {
  process.stderr.write('rapport: compiling the sources (first run)…\n');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const built = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
require(entry);
