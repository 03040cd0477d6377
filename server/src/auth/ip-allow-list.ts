import { BlockList, isIP } from 'node:net';

/**
 * Which client addresses a key is accepted from: exact addresses or CIDR ranges, IPv4 and IPv6, with
 * IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) treated as their IPv4 form. `0.0.0.0/0` and `::/0`
 * allow everything.
 */
export class IpAllowList {
  private readonly list = new BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bits] = entry.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
  }

  allows(ip: string | undefined): boolean {
    if (ip === undefined) return false;
    const mapped = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const family = isIP(mapped) === 6 ? 'ipv6' : 'ipv4';
    return this.list.check(mapped, family);
  }
}
