import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The project's import graph as madge sees it: file (relative to src/) -> files it imports. */
function madge(...args: string[]): unknown {
  const cli = join(__dirname, '..', '..', 'node_modules', 'madge', 'bin', 'cli.js');
  const out = execFileSync(process.execPath, [cli, '--json', '--extensions', 'ts', ...args, 'src'], {
    cwd: join(__dirname, '..', '..'),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out);
}

/** The unit a file belongs to in the layering: its module (`modules/<name>`), its top folder, or itself at the top. */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'modules' ? `modules/${parts[1]}` : parts[0];
}

/** Cycles of a directed graph, each as the path that closes it. */
function cyclesOf(edges: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]) => {
    state.set(node, 'open');
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), node, next]);
      else if (!state.has(next)) visit(next, [...path, node]);
    }
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node, []);
  return cycles;
}

describe('layers (madge over src/)', () => {
  const graph = madge() as Record<string, string[]>;

  it('has no circular import between files', () => {
    expect(madge('--circular')).toEqual([]);
  });

  it('has no cycle between folders, modules included', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, deps] of Object.entries(graph)) {
      for (const dep of deps) {
        const [from, to] = [folderOf(file), folderOf(dep)];
        if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    expect(edges.size).toBeGreaterThan(5);
    expect(cyclesOf(edges)).toEqual([]);
  });

  it('never imports from db/ or platform/ up into modules/, nor from db/ into platform/', () => {
    const upward = Object.entries(graph).flatMap(([file, deps]) =>
      deps
        .filter((dep) => (/^(db|platform)\//.test(file) && dep.startsWith('modules/')) || (file.startsWith('db/') && dep.startsWith('platform/')))
        .map((dep) => `${file} -> ${dep}`),
    );
    expect(upward).toEqual([]);
  });
});
