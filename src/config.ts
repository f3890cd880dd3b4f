import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** The validated configuration of one process. Only this file reads `process.env`. */
export interface Config {
  /** HTTP port; `PORT`, default 4000 (0 picks a free port, as tests do). */
  port: number;
  /** Interface to bind; `HOST`, default 127.0.0.1 (the Docker image sets 0.0.0.0). */
  host: string;
  /** `DATABASE_URL`; undefined means an embedded PostgreSQL under `dataDir`. */
  databaseUrl?: string;
  /** `REDIS_URL`; undefined means in-process pub/sub and counters. */
  redisUrl?: string;
  /** Key that signs session tokens; `SESSION_SECRET`, generated once under `dataDir` in development. */
  sessionSecret: string;
  /** Session token lifetime in seconds; `SESSION_TTL_SECONDS`, default 12 hours. */
  sessionTtlSeconds: number;
  /** `LOG_LEVEL`, default info (silent in tests). */
  logLevel: LogLevel;
  /** `NODE_ENV === 'production'`. */
  production: boolean;
  /** Where the embedded database and the development secret live; `DATA_DIR`, default ./.data. */
  dataDir: string;
  /** Largest accepted request body in bytes (1 MB). */
  bodyLimitBytes: number;
  /** Port of the embedded PostgreSQL used without DATABASE_URL; `EMBEDDED_PG_PORT`, default 54329. */
  embeddedPort: number;
  /** Database pool size; `DATABASE_POOL_SIZE`, default 10. */
  poolSize: number;
  /** Requests a principal may make per minute; `RATE_LIMIT_PER_MINUTE`, default 1200 (0 disables). */
  rateLimitPerMinute: number;
  /**
   * Whether webhooks may call `http:` URLs and private, loopback or link-local addresses;
   * `WEBHOOK_ALLOW_PRIVATE_NETWORKS` (true/false), default false in production and true elsewhere.
   */
  webhookAllowPrivateNetworks: boolean;
  /**
   * The unit of the webhook retry schedule (5, 300, 1800, 7200, 18000, 36000, 36000 units);
   * `WEBHOOK_RETRY_UNIT_MS`, default 1000 (seconds). For tests only: refused in production unless 1000.
   */
  webhookRetryUnitMs: number;
  /**
   * How long a webhook attempt waits for a 2xx answer; `WEBHOOK_TIMEOUT_MS`, default 10000 (the
   * contract's 10 s). For tests only: refused in production unless 10000.
   */
  webhookTimeoutMs: number;
  /** Browser origins that may call /graphql; `CORS_ORIGINS`, comma-separated exact origins, default none. */
  corsOrigins: string[];
  /** `METRICS_TOKEN`: when set, `GET /metrics` needs `Authorization: Bearer <it>` (else 401). */
  metricsToken?: string;
  /**
   * The budget of live ROI per node (docs/security.md): distinct `roiUpdated` windows and their
   * buckets, per organization and for the whole node. `LIVE_ROI_WINDOWS_PER_TENANT` (default 20),
   * `LIVE_ROI_BUCKETS_PER_TENANT` (20000), `LIVE_ROI_WINDOWS_PER_NODE` (2000),
   * `LIVE_ROI_BUCKETS_PER_NODE` (400000).
   */
  liveRoi: { windowsPerTenant: number; bucketsPerTenant: number; windowsPerNode: number; bucketsPerNode: number };
  /** On SIGTERM, how long idle keep-alive connections are still answered (then ended); `SHUTDOWN_GRACE_MS`, default 5000. */
  shutdownGraceMs: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got '${env[name]}'`);
}

function urlVar(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

/** `https://app.example.com,http://localhost:5173` -> exact origins (scheme, host, port; no path). */
function originsVar(env: Env, name: string): string[] {
  const raw = env[name];
  if (!raw?.trim()) return [];
  return raw.split(',').map((item) => {
    const origin = item.trim().replace(/\/$/, '');
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError(name, `'${item.trim()}' is not an origin like https://app.example.com (scheme, host and port only)`);
    }
    return origin;
  });
}

function tokenVar(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16 || /\s/.test(raw)) throw new ConfigError(name, 'must be at least 16 characters, without spaces');
  return raw;
}

function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Reads `.env` beside package.json (real environment variables win over it). */
export function readEnv(cwd = process.cwd()): Env {
  const file = join(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}

/** Turns an environment into a validated Config, failing with a message that names the variable. */
export function loadConfig(env: Env = readEnv(), overrides: Partial<Config> = {}): Config {
  const production = env.NODE_ENV === 'production';
  const dataDir = resolve(env.DATA_DIR || '.data');
  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  let sessionSecret = env.SESSION_SECRET;
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters');
  }
  if (!sessionSecret && production && !overrides.sessionSecret) {
    throw new ConfigError('SESSION_SECRET', 'is required when NODE_ENV=production');
  }
  const config: Config = {
    port: intVar(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl: urlVar(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: urlVar(env, 'REDIS_URL', ['redis:', 'rediss:']),
    sessionSecret: '',
    sessionTtlSeconds: intVar(env, 'SESSION_TTL_SECONDS', 12 * 3600, 60, 30 * 24 * 3600),
    logLevel,
    production,
    dataDir,
    bodyLimitBytes: 1024 * 1024,
    embeddedPort: intVar(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
    poolSize: intVar(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    rateLimitPerMinute: intVar(env, 'RATE_LIMIT_PER_MINUTE', 1200, 0, 1_000_000),
    webhookAllowPrivateNetworks: boolVar(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', !production),
    webhookRetryUnitMs: intVar(env, 'WEBHOOK_RETRY_UNIT_MS', 1000, 1, 1000),
    webhookTimeoutMs: intVar(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 1, 60_000),
    corsOrigins: originsVar(env, 'CORS_ORIGINS'),
    metricsToken: tokenVar(env, 'METRICS_TOKEN'),
    shutdownGraceMs: intVar(env, 'SHUTDOWN_GRACE_MS', 5000, 0, 120_000),
    liveRoi: {
      windowsPerTenant: intVar(env, 'LIVE_ROI_WINDOWS_PER_TENANT', 20, 1, 100_000),
      bucketsPerTenant: intVar(env, 'LIVE_ROI_BUCKETS_PER_TENANT', 20_000, 1, 100_000_000),
      windowsPerNode: intVar(env, 'LIVE_ROI_WINDOWS_PER_NODE', 2_000, 1, 1_000_000),
      bucketsPerNode: intVar(env, 'LIVE_ROI_BUCKETS_PER_NODE', 400_000, 1, 1_000_000_000),
    },
    ...overrides,
  };
  if (production && config.webhookRetryUnitMs !== 1000) {
    throw new ConfigError('WEBHOOK_RETRY_UNIT_MS', 'is for tests only and must not be set in production');
  }
  if (production && config.webhookTimeoutMs !== 10_000) {
    throw new ConfigError('WEBHOOK_TIMEOUT_MS', 'is for tests only and must not be set in production');
  }
  config.sessionSecret = overrides.sessionSecret || sessionSecret || developmentSecret(dataDir);
  return config;
}
