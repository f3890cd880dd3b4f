import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, readEnv } from './config';

const dataDir = () => mkdtempSync(join(tmpdir(), 'rapport-config-'));

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ DATA_DIR: dataDir() });
    expect(c).toMatchObject({ port: 4000, host: '127.0.0.1', databaseUrl: undefined, redisUrl: undefined, logLevel: 'info', production: false });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://localhost'],
    ['LOG_LEVEL', 'loud'],
    ['SESSION_SECRET', 'short'],
    ['DATABASE_POOL_SIZE', '0'],
    ['WEBHOOK_ALLOW_PRIVATE_NETWORKS', 'maybe'],
    ['WEBHOOK_RETRY_UNIT_MS', '0'],
    ['CORS_ORIGINS', 'app.example.com'],
    ['CORS_ORIGINS', 'https://app.example.com/path'],
    ['CORS_ORIGINS', 'https://ok.example.com,*'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    const attempt = () => loadConfig({ DATA_DIR: dataDir(), [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^${name}:`));
  });

  it('lets webhooks reach private networks outside production only, unless told otherwise', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).webhookAllowPrivateNetworks).toBe(true);
    expect(loadConfig({ DATA_DIR: dataDir(), WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' }).webhookAllowPrivateNetworks).toBe(false);
    const production = { NODE_ENV: 'production', DATA_DIR: dataDir(), SESSION_SECRET: 'x'.repeat(32) };
    expect(loadConfig(production).webhookAllowPrivateNetworks).toBe(false);
    expect(loadConfig({ ...production, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }).webhookAllowPrivateNetworks).toBe(true);
    expect(loadConfig(production).webhookRetryUnitMs).toBe(1000);
    expect(() => loadConfig({ ...production, WEBHOOK_RETRY_UNIT_MS: '10' })).toThrow(/^WEBHOOK_RETRY_UNIT_MS:/);
  });

  it('reads CORS_ORIGINS as exact origins, none by default', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).corsOrigins).toEqual([]);
    const c = loadConfig({ DATA_DIR: dataDir(), CORS_ORIGINS: 'https://app.example.com, http://localhost:5173/' });
    expect(c.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it('requires SESSION_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir() })).toThrow(/^SESSION_SECRET:/);
  });

  it('generates a development secret once and keeps it under the data directory', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).sessionSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ DATA_DIR: dir }).sessionSecret).toBe(first);
    expect(readFileSync(join(dir, 'session-secret'), 'utf8')).toBe(first);
  });

  it('reads .env, with real environment variables winning', () => {
    const dir = dataDir();
    writeFileSync(join(dir, '.env'), 'PORT=4321\nLOG_LEVEL=debug\n');
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'warn';
    try {
      const env = readEnv(dir);
      expect(env.PORT).toBe('4321');
      expect(env.LOG_LEVEL).toBe('warn');
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });
});
