import { request } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPublicAddress, pinnedLookup, safeAddress, UnsafeUrlError, type Resolver } from './webhook-address';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0',
    '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00:ec2::254', 'fc00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1',
    '::ffff:169.254.169.254', '64:ff9b::7f00:1', '2002:7f00:1::', 'not-an-ip',
    // IPv4-compatible (deprecated, ::/96) forms of loopback and metadata, and the rest of ::/8.
    '::127.0.0.1', '::7f00:1', '::169.254.169.254', '::8.8.8.8', '0:0:1::1', 'fe80::1%eth0',
  ])('refuses %s', (ip) => expect(isPublicAddress(ip)).toBe(false));

  it.each(['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:93.184.216.34'])('accepts %s', (ip) =>
    expect(isPublicAddress(ip)).toBe(true),
  );
});

describe('safeAddress', () => {
  const fixed = (...addresses: string[]): Resolver => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses a host with any private answer, and accepts it where private networks are allowed', async () => {
    const url = new URL('https://partner.example/hook');
    await expect(safeAddress(url, false, fixed('93.184.216.34', '10.0.0.5'))).rejects.toThrow(UnsafeUrlError);
    await expect(safeAddress(url, true, fixed('10.0.0.5'))).resolves.toEqual({ address: '10.0.0.5', family: 4 });
    await expect(safeAddress(url, false, fixed('93.184.216.34'))).resolves.toEqual({ address: '93.184.216.34', family: 4 });
  });

  it('refuses bracketed IPv6 literals and hosts that do not resolve', async () => {
    await expect(safeAddress(new URL('https://[::ffff:127.0.0.1]/'), false)).rejects.toThrow(/::ffff:7f00:1|127\.0\.0\.1/);
    await expect(safeAddress(new URL('https://localhost/'), false)).rejects.toThrow(UnsafeUrlError);
    await expect(safeAddress(new URL('https://no-such-host.invalid/'), true)).rejects.toThrow(/does not resolve/);
  });

  it('a DNS answer that changes after the check cannot move the connection: it goes to the pinned address', async () => {
    let answers = 0;
    // A rebinding resolver: public on the first answer, loopback on every later one.
    const rebinding: Resolver = async () => [{ address: answers++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    const checked = await safeAddress(new URL('http://rebind.example/'), false, rebinding);
    expect(checked.address).toBe('93.184.216.34');
    await expect(safeAddress(new URL('http://rebind.example/'), false, rebinding)).rejects.toThrow(/127\.0\.0\.1/);

    // The pinned lookup answers only the checked address, whatever the name: here a local server
    // is reached through a name that resolves nowhere, because the pin says 127.0.0.1.
    const server: Server = createServer((_req, res) => res.end('pinned'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(`http://nowhere.invalid:${port}/`, { lookup: pinnedLookup({ address: '127.0.0.1', family: 4 }) }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('pinned');
    } finally {
      server.close();
    }
  });
});
