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
      const family = familyOf(address);
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
  }

  allows(ip: string | undefined): boolean {
    if (ip === undefined) return false;
    const mapped = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    return this.list.check(mapped, familyOf(mapped));
  }
}

/**
 * The family BlockList is asked with. Not `isIP`: its IPv6 test is one very large regular expression whose
 * first uses cost 4–20 ms of a cold start (measured with `::1`, in every default allow list). Only IPv6 text
 * holds a colon; BlockList itself refuses an address that is not valid in the family given (a config entry)
 * or answers false (a client address).
 */
function familyOf(address: string): 'ipv4' | 'ipv6' {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}
