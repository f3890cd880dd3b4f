// `npm test`'s last step: Jest, failing the run when a test file leaves a handle open (a socket,
// a timer, a client) that keeps its worker or Jest itself alive. Jest only warns about that (and
// kills the worker, or waits forever when it ran the files in its own process), which hides leaks
// that would keep a real process from shutting down.
const { spawn } = require('node:child_process');

const LEAK = /A worker process has failed to exit gracefully|Jest did not exit one second after the test run/;
const child = spawn(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], {
  stdio: ['inherit', 'inherit', 'pipe'],
});
let leaked = false;
let tail = '';
child.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  const text = tail + chunk.toString();
  tail = text.slice(-200);
  if (!leaked && LEAK.test(text)) {
    leaked = true;
    // The run is over; what is left is the leak itself. Give Jest a moment to print, then stop it.
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  }
});
child.on('close', (code, signal) => {
  if (leaked) console.error('\nA test file left a handle open (see the warning above). Find it with: npx jest --detectOpenHandles <file>');
  const failed = leaked || code !== 0 || signal !== null;
  process.exit(failed ? code || 1 : 0);
});
