import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { report, round } from './support.js';

/** The reader: opens `n` connections to `port` and reads everything (another process, as subscribers are). */
const READER = `
const net = require('node:net');
const [n, port] = process.argv.slice(1).map(Number);
let open = 0;
for (let i = 0; i < n; i++) net.connect(port, '127.0.0.1', () => { if (++open === n) process.stdout.write('open\\n'); }).on('data', () => {});
`;

/**
 * The floor under the live fan-out on this machine: what one TCP send to a subscriber costs, with
 * nothing of Rapport in the way. SOCKETS loopback connections (read by another process), one
 * `socket.write` per socket every 10 ms for SECONDS, of 1, then 10, then 50 frames of 150 bytes
 * (a `metricUpdated` message): CPU µs per send and per frame, against 1 frame per send, in the same
 * process on the same sockets. Args: [sockets=2000] [seconds=5]
 */
export async function run(args: string[]): Promise<void> {
  const sockets = Number(args[0] ?? 2000);
  const seconds = Number(args[1] ?? 5);
  const accepted: Socket[] = [];
  const server = createServer((s) => {
    s.setNoDelay(true);
    accepted.push(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const reader = spawn(process.execPath, ['-e', READER, String(sockets), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve) => reader.stdout.once('data', () => resolve()));
    while (accepted.length < sockets) await new Promise((r) => setTimeout(r, 10));
    const frame = Buffer.alloc(150, 0x61);
    const rows: Array<Record<string, number>> = [];
    for (const frames of [1, 10, 50]) {
      const payload = Buffer.concat(Array.from({ length: frames }, () => frame));
      const started = Date.now();
      const cpu = process.cpuUsage();
      let sends = 0;
      while (Date.now() - started < seconds * 1000) {
        const round0 = Date.now();
        for (const s of accepted) s.write(payload);
        sends += accepted.length;
        await new Promise((r) => setTimeout(r, Math.max(0, 10 - (Date.now() - round0))));
      }
      const used = process.cpuUsage(cpu);
      const micros = used.user + used.system;
      rows.push({
        framesPerSend: frames,
        sends,
        sendsPerSecond: round(sends / ((Date.now() - started) / 1000), 0),
        cpuMicrosPerSend: round(micros / sends, 2),
        cpuMicrosPerFrame: round(micros / sends / frames, 2),
        kernelShare: round(used.system / micros, 2),
      });
    }
    const base = rows[0].cpuMicrosPerFrame;
    report({
      bench: 'socket-writes',
      sockets,
      seconds,
      rows: rows.map((r) => ({ ...r, costPerFrameVsOneFramePerSend: round(r.cpuMicrosPerFrame / base, 3) })),
      // A send per socket every `ms` costs this share of a core, whatever it carries.
      coreForOneSendPerSocketEvery: Object.fromEntries([10, 50, 100].map((ms) => [`${ms}ms`, round((sockets * (1000 / ms) * rows[0].cpuMicrosPerSend) / 1e6, 2)])),
    });
  } finally {
    reader.kill();
    for (const s of accepted) s.destroy();
    server.close();
  }
}
