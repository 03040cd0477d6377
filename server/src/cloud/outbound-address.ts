import { BlockList, isIP } from 'node:net';

/**
 * Which addresses server-side calls (webhooks, `Parse.Cloud.httpRequest`) may reach. A client who can make
 * the server fetch a URL (a webhook registered with a leaked master key, cloud code fetching a URL a client
 * passed in) must not reach the machine's own services or the private network behind it (SSRF): loopback,
 * private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and reserved ranges
 * are refused unless the operator lists them in `--outbound-allow-ips`. IPv6 forms that embed an IPv4
 * address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible, NAT64, 6to4) are refused or judged by that address.
 */
const PRIVATE_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network": 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255
];

const PRIVATE_V6: ReadonlyArray<readonly [string, number]> = [
  ['::', 96], // unspecified, loopback (::1) and the deprecated IPv4-compatible form
  ['::ffff:0:0:0', 96], // IPv4-translated
  ['64:ff9b::', 96], // NAT64: reaches any IPv4 address, private ones included
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds an IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, `::ffff:7f00:1`), if it is one. */
export function unmapIPv4(address: string): string {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted !== null && isIP(dotted[1] as string) === 4) return dotted[1] as string;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex !== null) {
    const high = Number.parseInt(hex[1] as string, 16);
    const low = Number.parseInt(hex[2] as string, 16);
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return address;
}

/** Decides, per resolved address, whether an outbound call may connect to it. */
export class OutboundAddressPolicy {
  readonly #blocked = new BlockList();
  readonly #allowed = new BlockList();

  /** `allow`: IPs or CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `::1/128`) reachable even though private. */
  constructor(allow: readonly string[] = []) {
    for (const [network, prefix] of PRIVATE_V4) this.#blocked.addSubnet(network, prefix, 'ipv4');
    for (const [network, prefix] of PRIVATE_V6) this.#blocked.addSubnet(network, prefix, 'ipv6');
    for (const entry of allow) {
      const [address = '', bits] = entry.split('/');
      const plain = unmapIPv4(address);
      const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.#allowed.addAddress(plain, family);
      else this.#allowed.addSubnet(plain, Number(bits), family);
    }
  }

  /** Whether `address` (an IP literal) may be reached; anything that is not an IP is refused. */
  allows(address: string): boolean {
    const plain = unmapIPv4(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
    const version = isIP(plain);
    if (version === 0) return false;
    const family = version === 4 ? 'ipv4' : 'ipv6';
    if (this.#allowed.check(plain, family)) return true;
    return !this.#blocked.check(plain, family);
  }
}
