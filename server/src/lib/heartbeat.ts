/** What a heartbeat needs of a socket (`ws`'s WebSocket fits). */
export interface PingedSocket {
  ping(): void;
  terminate(): void;
  on(event: 'pong', listener: () => void): unknown;
}

/** Ticks per interval, each pinging one slice of the sockets. */
const DEFAULT_SLICES = 16;

/**
 * Finds dead WebSocket peers: every socket is pinged once per interval, and one that has not answered its
 * previous ping by then is cut (`terminate`). The sockets are spread over slices as they are added (round robin)
 * and each tick of the interval pings one slice: pinging 10,000 sockets in one loop turn is 10,000 writes
 * (~100-200 ms here) during which no event goes out. Used by the LiveQuery and GraphQL socket servers.
 *
 * @example
 * const heartbeat = new Heartbeat<WebSocket>({ intervalMs: 30_000 });
 * heartbeat.add(ws);
 * ws.on('close', () => heartbeat.delete(ws));
 * heartbeat.close(); // on shutdown
 */
export class Heartbeat<S extends PingedSocket> {
  readonly #slices: Set<S>[];
  readonly #sliceOf = new Map<S, Set<S>>();
  /** Sockets pinged and not answered yet. */
  readonly #waiting = new WeakSet<S>();
  readonly #timer: NodeJS.Timeout;
  #added = 0;
  #tick = 0;

  constructor(options: { intervalMs: number; slices?: number }) {
    const slices = Math.max(1, options.slices ?? DEFAULT_SLICES);
    this.#slices = Array.from({ length: slices }, () => new Set<S>());
    this.#timer = setInterval(() => this.#beat(), Math.max(1, options.intervalMs / slices));
    this.#timer.unref();
  }

  /** Sockets watched. */
  get size(): number {
    return this.#sliceOf.size;
  }

  /** Watches `socket` until `delete` (call it when the socket closes). */
  add(socket: S): void {
    if (this.#sliceOf.has(socket)) return;
    const slice = this.#slices[this.#added++ % this.#slices.length] as Set<S>;
    slice.add(socket);
    this.#sliceOf.set(socket, slice);
    socket.on('pong', () => this.#waiting.delete(socket));
  }

  delete(socket: S): void {
    this.#sliceOf.get(socket)?.delete(socket);
    this.#sliceOf.delete(socket);
  }

  /** Stops pinging (the sockets are the caller's to close). */
  close(): void {
    clearInterval(this.#timer);
  }

  /** One tick: the sockets of this tick's slice are cut if they did not answer their last ping, else pinged. */
  #beat(): void {
    this.#tick = (this.#tick + 1) % this.#slices.length;
    for (const socket of this.#slices[this.#tick] as Set<S>) {
      if (this.#waiting.has(socket)) {
        this.delete(socket);
        socket.terminate();
        continue;
      }
      this.#waiting.add(socket);
      socket.ping();
    }
  }
}
