import { chromium, type Browser } from 'playwright-core';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findChromium: find, INSTALL_COMMAND } = require('../../scripts/browser.cjs') as {
  findChromium(): string | null;
  INSTALL_COMMAND: string;
};

/** The Chromium executable the browser tests use: CHROMIUM_PATH, else a system install; null when none. */
export const findChromium = (): string | null => find();

/** Headless Chromium as the browser tests drive it (the system's, or CHROMIUM_PATH). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(`Chromium is missing: ${INSTALL_COMMAND} (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}
