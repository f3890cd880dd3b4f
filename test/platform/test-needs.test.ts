import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'check-test-needs.cjs');

describe("npm test's first step", () => {
  it('stops at once, with the one command that installs it, when Chromium is missing', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { env: { PATH: process.env.PATH, CHROMIUM_PATH: '/nowhere/chromium' }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('apt-get update && apt-get install -y chromium');
    expect(run.stderr).toContain('CHROMIUM_PATH=/nowhere/chromium does not exist');
  });

  it('passes when a Chromium is there', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { env: { PATH: process.env.PATH, CHROMIUM_PATH: process.execPath }, encoding: 'utf8' });
    expect(run.status).toBe(0);
  });
});
