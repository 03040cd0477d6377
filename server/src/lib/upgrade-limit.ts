import type { Duplex } from 'node:stream';

/**
 * Open WebSocket upgrades per client address, with a ceiling: past it an upgrade is answered 429 and closed.
 * A counted socket is released once, when it closes.
 */
export class UpgradeLimit {
  readonly #open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts the upgrade of `socket` from `ip` (until it closes) and says true, or ends it with 429 and says false. */
  admit(ip: string | undefined, socket: Duplex): boolean {
    const key = ip ?? 'unknown';
    const open = this.#open.get(key) ?? 0;
    if (open >= this.max) {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return false;
    }
    this.#open.set(key, open + 1);
    socket.once('close', () => {
      const left = (this.#open.get(key) ?? 1) - 1;
      if (left <= 0) this.#open.delete(key);
      else this.#open.set(key, left);
    });
    return true;
  }
}
