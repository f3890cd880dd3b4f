import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** One resolved address of a host. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (an IP literal resolves to itself). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

/** The system resolver (what connections would use). */
export const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** ::/8, with its prefix length below. */
const RESERVED_V6 = ipaddr.IPv6.parse('::');

/**
 * Whether a webhook may connect to `ip`: only plain public unicast. Loopback, private, link-local
 * (cloud metadata 169.254.169.254 among them), unique-local (fd00:ec2::254), carrier-grade NAT,
 * multicast, reserved (::/8 with IPv4-compatible ::127.0.0.1), and the IPv6 forms that tunnel to
 * IPv4 (NAT64, 6to4, Teredo) are refused;
 * an IPv4-mapped IPv6 address is judged as the IPv4 address it is.
 */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  // The WHATWG form first (as URLs and sockets read it): ipaddr.js takes `::8.8.8.8` for the
  // IPv4-mapped ::ffff:808:808, where it is the IPv4-compatible ::808:808.
  // Anything the URL parser refuses (a zone id: fe80::1%eth0) is not public.
  const canonical = !ip.includes(':') ? ip : URL.canParse(`http://[${ip}]/`) ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : null;
  if (canonical === null) return false;
  let addr = ipaddr.parse(canonical);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  // ::/8 is reserved (unspecified, loopback, the deprecated IPv4-compatible ::a.b.c.d), which
  // ipaddr.js calls unicast for ::7f00:1.
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).match(RESERVED_V6, 8)) return false;
  return addr.range() === 'unicast';
}

/** Why a URL may not be called, or null when it may. */
export class UnsafeUrlError extends Error {}

/** A URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Resolves the URL's host and returns the address to connect to. Unless `allowPrivate`, every
 * address the host resolves to must be public (a host with one private answer is refused).
 * Throws UnsafeUrlError with the reason.
 */
export async function safeAddress(url: URL, allowPrivate: boolean, resolve: Resolver = systemResolver): Promise<ResolvedAddress> {
  const host = hostOf(url);
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolve(host);
  } catch {
    throw new UnsafeUrlError(`the host ${host} does not resolve`);
  }
  if (!addresses.length) throw new UnsafeUrlError(`the host ${host} does not resolve`);
  if (!allowPrivate) {
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad) throw new UnsafeUrlError(`the host ${host} resolves to ${bad.address}, a loopback, private, link-local or reserved address`);
  }
  return addresses[0];
}

/**
 * A `lookup` for http(s).request that answers only the address checked already, whatever the
 * host name: the connection goes where the check looked, even if DNS answers differently now.
 */
export function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
}
