import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { IpAllowList } from '../auth/index.js';

/**
 * Who is really asking when Strata sits behind proxies (`--trust-proxy`): the socket's peer, unless that peer
 * is a trusted proxy, in which case `X-Forwarded-For` is read from the right, skipping trusted addresses, and
 * the first untrusted one is the client. Reading from the right matters: everything left of the entry the
 * last trusted proxy wrote was written by the client and may be invented. With no trusted proxies the headers
 * are ignored entirely, so a client cannot choose its own address for master-key IP checks or rate limits.
 */
export class ClientAddressResolver {
  private readonly proxies: IpAllowList;
  private readonly trusting: boolean;
  /** Whether an address is a trusted proxy, remembered: the same few gateway addresses ask every request. */
  private readonly known = new Map<string, boolean>();

  constructor(trustProxy: readonly string[]) {
    this.proxies = new IpAllowList(trustProxy);
    this.trusting = trustProxy.length > 0;
  }

  private isProxy(ip: string | undefined): boolean {
    if (ip === undefined) return false;
    let trusted = this.known.get(ip);
    if (trusted === undefined) {
      trusted = this.proxies.allows(ip);
      // Client addresses pass through here too: keep the memo bounded.
      if (this.known.size >= 1024) this.known.clear();
      this.known.set(ip, trusted);
    }
    return trusted;
  }

  /** The client address and scheme of a request. */
  resolve(req: IncomingMessage): { ip: string | undefined; protocol: 'http' | 'https' } {
    const peer = req.socket.remoteAddress;
    const direct = { ip: peer, protocol: socketProtocol(req) } as const;
    if (!this.trusting || !this.isProxy(peer)) return direct;
    const hops = forwardedFor(req);
    let ip: string | undefined = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string;
      // What a trusted proxy wrote is not an address ("unknown", garbage): the client cannot be named, and
      // it must not become the proxy's own (trusted, often loopback) address either.
      if (isIP(hop) === 0) {
        ip = undefined;
        break;
      }
      ip = hop;
      if (!this.isProxy(hop)) break;
    }
    return { ip, protocol: forwardedProtocol(req) ?? direct.protocol };
  }
}

function forwardedFor(req: IncomingMessage): string[] {
  const raw = req.headers['x-forwarded-for'];
  const joined = Array.isArray(raw) ? raw.join(',') : raw;
  if (joined === undefined || joined === '') {
    const real = req.headers['x-real-ip'];
    return typeof real === 'string' ? [unbracket(real.trim())] : [];
  }
  return joined
    .split(',')
    .map((part) => unbracket(part.trim()))
    .filter((part) => part !== '');
}

/** `[::1]` and `[::1]:443` as some proxies write IPv6 entries; `1.2.3.4:5678` with a port. */
function unbracket(entry: string): string {
  if (entry.startsWith('[')) {
    const end = entry.indexOf(']');
    return end === -1 ? entry : entry.slice(1, end);
  }
  const colon = entry.indexOf(':');
  return colon !== -1 && colon === entry.lastIndexOf(':') ? entry.slice(0, colon) : entry;
}

function forwardedProtocol(req: IncomingMessage): 'http' | 'https' | undefined {
  const raw = req.headers['x-forwarded-proto'];
  if (typeof raw !== 'string') return undefined;
  // The left-most value is what the client spoke to the first proxy.
  const first = raw.split(',')[0]?.trim().toLowerCase();
  return first === 'https' || first === 'http' ? first : undefined;
}

function socketProtocol(req: IncomingMessage): 'http' | 'https' {
  return 'encrypted' in req.socket && req.socket.encrypted === true ? 'https' : 'http';
}
