// `npm test`'s first step: the browser tests (widgets, GraphiQL) drive a real Chromium. Without
// one, stop at once with the command that installs it, rather than failing tests one by one.
const { findChromium, INSTALL_COMMAND, CANDIDATES } = require('./browser.cjs');

if (!findChromium()) {
  const where = process.env.CHROMIUM_PATH ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist` : `none of ${CANDIDATES.join(', ')} exists`;
  console.error(`The browser tests need Chromium, and ${where}. Install it with:\n\n  ${INSTALL_COMMAND}\n\n(or point CHROMIUM_PATH at a Chromium or Chrome executable)`);
  process.exit(1);
}
