// Finds the Chromium the browser tests drive (CHROMIUM_PATH, else a system install), shared by
// the tests (test/support/browser.ts) and `npm test`'s first step (scripts/check-test-needs.cjs).
const { existsSync } = require('node:fs');

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The one command that installs what the browser tests need, on Debian or Ubuntu. */
const INSTALL_COMMAND = 'apt-get update && apt-get install -y chromium';

/** The Chromium executable to use, or null when none is installed. */
function findChromium(env = process.env) {
  if (env.CHROMIUM_PATH) return existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

module.exports = { findChromium, INSTALL_COMMAND, CANDIDATES };
