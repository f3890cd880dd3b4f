import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const REGISTER = join(__dirname, 'register-ts.js');
const NODE_MAIN = join(__dirname, 'node-main.ts');

/** A child process whose output is kept and can be waited on. */
export class Child {
  private out = '';
  private readonly watchers = new Set<() => void>();
  readonly exited: Promise<number | null>;

  constructor(readonly process: ChildProcess) {
    const collect = (d: Buffer) => {
      this.out += d.toString();
      this.watchers.forEach((w) => w());
    };
    process.stdout?.on('data', collect);
    process.stderr?.on('data', collect);
    this.exited = once(process, 'exit').then(([code]) => code as number | null);
  }

  output(): string {
    return this.out;
  }

  /** Resolves with the first match of `pattern` in the output from `from` on. */
  waitFor(pattern: RegExp, timeoutMs = 30_000, from = 0): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(this.out.slice(from));
        if (match) {
          done();
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${pattern} in:\n${this.out.slice(-4000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.watchers.delete(check);
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Stops the process (SIGTERM, or `signal`) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill(signal);
    await this.exited;
  }
}

/** A Rapport server node in a process of its own (the sources run through register-ts.js). */
export async function startNode(env: Record<string, string>): Promise<{ child: Child; url: string }> {
  const child = new Child(
    spawn(process.execPath, ['-r', REGISTER, NODE_MAIN], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const exited = child.exited.then((code) => {
    throw new Error(`node exited with ${code}:\n${child.output()}`);
  });
  const [, url] = await Promise.race([child.waitFor(/NODE_READY (\S+)/, 60_000), exited]);
  exited.catch(() => {});
  return { child, url };
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A throwaway redis-server on `port`, without persistence. */
export async function startRedis(port: number): Promise<Child> {
  const child = new Child(spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await child.waitFor(/Ready to accept connections/, 10_000);
  return child;
}

/** How many subscribers Redis counts on a channel (all nodes together). */
export async function redisSubscribers(url: string, channel: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    const reply = (await redis.pubsub('NUMSUB', channel)) as [string, number];
    return Number(reply[1]);
  } finally {
    redis.disconnect();
  }
}
