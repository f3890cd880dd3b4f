import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const GATE = join(ROOT, 'scripts', 'jest.cjs');
const FIXTURES = join(__dirname, 'leak-fixtures');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { workerGracefulExitTimeout } = require(join(ROOT, 'jest.config.js')) as { workerGracefulExitTimeout: number };

/** Runs `npm test`'s Jest step on the fixture files matching `pattern`, in `workers` worker processes. */
function gate(pattern: string, workers: number): Promise<{ code: number | null; stderr: string }> {
  const config = { rootDir: FIXTURES, testMatch: [`**/${pattern}`], workerGracefulExitTimeout };
  const args = [GATE, '--config', JSON.stringify(config), '--ci', workers > 1 ? `--maxWorkers=${workers}` : '--runInBand'];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe("npm test's Jest step", () => {
  it('passes files that close what they open, in workers', async () => {
    const run = await gate('clean.fixture.js', 2);
    expect(run.stderr).toContain('1 passed');
    expect(run.code).toBe(0);
  }, 60_000);

  it('fails the run when a file in a worker leaves a timer running, though its tests pass', async () => {
    const run = await gate('*.fixture.js', 2);
    expect(run.stderr).toContain('2 passed');
    expect(run.stderr).toContain('A test file left a handle open');
    expect(run.code).not.toBe(0);
  }, 60_000 + workerGracefulExitTimeout);

  it('fails the run when a file run in band leaves a timer running', async () => {
    const run = await gate('leaky.fixture.js', 1);
    expect(run.stderr).toContain('A test file left a handle open');
    expect(run.code).not.toBe(0);
  }, 60_000);
});
