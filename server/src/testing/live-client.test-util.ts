/** A raw LiveQuery WebSocket client for tests: sends frames, collects what the server sends. Not part of the build. */
import { WebSocket } from 'ws';

export type Frame = Record<string, unknown> & { op: string };

export class RawLiveClient {
  readonly frames: Frame[] = [];
  readonly socket: WebSocket;
  closed: { code: number; reason: string } | undefined;
  #waiters: Array<() => void> = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString('utf8')) as Frame);
      this.#wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.#wake();
    });
    socket.on('error', () => this.#wake());
  }

  /** Opens a socket on `url` (http: or ws:, any path). */
  static open(url: string): Promise<RawLiveClient> {
    const socket = new WebSocket(url.replace(/^http/, 'ws'));
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RawLiveClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first frame (from `from` on) that `test` accepts; rejects after `ms`. */
  async next(test: (frame: Frame) => boolean, options: { from?: number; ms?: number } = {}): Promise<Frame> {
    const deadline = Date.now() + (options.ms ?? 10_000);
    let index = options.from ?? 0;
    for (;;) {
      for (; index < this.frames.length; index++) {
        const frame = this.frames[index] as Frame;
        if (test(frame)) return frame;
      }
      if (this.closed !== undefined) throw new Error(`socket closed ${JSON.stringify(this.closed)} while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next frame with this op (and requestId when given). */
  op(op: string, requestId?: number, options: { from?: number; ms?: number } = {}): Promise<Frame> {
    return this.next((f) => f.op === op && (requestId === undefined || f['requestId'] === requestId), options);
  }

  /** Sends connect and waits for `connected` (or throws with the error frame). */
  async connect(fields: Record<string, unknown>): Promise<Frame> {
    const from = this.frames.length;
    this.send({ op: 'connect', ...fields });
    const frame = await this.next((f) => f.op === 'connected' || f.op === 'error', { from });
    if (frame.op !== 'connected') throw new Error(`connect refused: ${JSON.stringify(frame)}`);
    return frame;
  }

  /** Sends subscribe and resolves with the `subscribed` or `error` answer for its requestId. */
  async subscribe(
    requestId: number,
    query: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): Promise<Frame> {
    const from = this.frames.length;
    this.send({ op: 'subscribe', requestId, query, ...extra });
    return this.next((f) => (f.op === 'subscribed' || f.op === 'error') && f['requestId'] === requestId, { from });
  }

  /** Nothing more arrives: waits `ms` and returns the frames received after `from`. */
  async quiet(from: number, ms = 300): Promise<Frame[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.frames.slice(from);
  }

  close(): Promise<void> {
    if (this.closed !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
