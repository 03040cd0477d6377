/**
 * Draws for LiveQuery's door (issue 19 item 1): raw frames (connect, subscribe, update, unsubscribe, junk, deep and
 * huge) as a pure function of a seed (graphql-ops.ts's Rng), so a failing one is replayed from the printed seed;
 * and `LiveLane`, one socket that sends a frame and waits for its answer.
 */
import { WebSocket } from 'ws';
import { Rng } from './graphql-ops.js';
import type { Json } from './payloads.js';

export type LiveCaller = 'client' | 'session' | 'master';

export interface LiveWorld {
  readonly appId: string;
  readonly clientKey: string;
  readonly masterKey: string;
  sessionToken: string;
  readonly classes: readonly string[];
  /** `where` clauses sampled from payloads.ts (operator injection, hostile regexes, pollution shapes). */
  readonly wheres: readonly Json[];
  readonly fields: readonly string[];
  /** Largest frame the server accepts. */
  readonly maxFrame: number;
}

export interface LiveDraw {
  readonly kind: string;
  readonly frame: string | Buffer;
}

export function liveFrame(seed: number, caller: LiveCaller, world: LiveWorld): LiveDraw {
  const rng = new Rng(seed);
  const requestId = (): Json =>
    rng.chance(0.9) ? 1 + rng.int(6) : rng.pick<Json>([0, -1, 1.5, 2 ** 53, '1', null, [], 1e308]);
  const keys = (): Record<string, Json> => {
    const out: Record<string, Json> = {};
    if (caller === 'master') out['masterKey'] = world.masterKey;
    else out[rng.pick(['clientKey', 'javascriptKey', 'restAPIKey'])] = world.clientKey;
    if (caller === 'session') out['sessionToken'] = world.sessionToken;
    if (rng.chance(0.1)) out['sessionToken'] = rng.pick(['r:dead', '', 'x'.repeat(500)]);
    if (rng.chance(0.1)) out['installationId'] = rng.pick(['inst-1', '', '../x']);
    return out;
  };
  const query = (): Json => {
    const q: Record<string, Json> = {
      className: rng.chance(0.9) ? rng.pick(world.classes) : rng.pick<Json>(['', '_Hooks', 'a/b', 42, null]),
      where: rng.chance(0.95) ? rng.pick(world.wheres) : rng.pick<Json>([[], 'x', null, 1]),
    };
    if (rng.chance(0.3)) q['keys'] = Array.from({ length: rng.int(4) }, () => rng.pick(world.fields));
    if (rng.chance(0.2)) q['watch'] = Array.from({ length: rng.int(3) }, () => rng.pick(world.fields));
    if (rng.chance(0.05)) q[rng.pick(['fields', 'junk', '__proto__'])] = ['str'];
    return q;
  };
  const roll = rng.next();
  if (roll < 0.15) {
    const frame: Record<string, Json> = {
      op: 'connect',
      applicationId: rng.chance(0.9) ? world.appId : rng.pick<Json>(['wrong', '', 42, null]),
      ...keys(),
    };
    if (rng.chance(0.05)) frame['extra'] = 1;
    return { kind: 'connect', frame: JSON.stringify(frame) };
  }
  if (roll < 0.6) {
    const frame: Record<string, Json> = {
      op: rng.chance(0.8) ? 'subscribe' : 'update',
      requestId: requestId(),
      query: query(),
    };
    if (rng.chance(0.1)) frame['sessionToken'] = rng.pick([world.sessionToken, 'r:dead', '']);
    if (rng.chance(0.05)) frame['resume'] = rng.pick<Json>([{ subscriptionId: 'nope', seq: 1 }, { seq: -1 }, 'x']);
    return { kind: String(frame['op']), frame: JSON.stringify(frame) };
  }
  if (roll < 0.75) return { kind: 'unsubscribe', frame: JSON.stringify({ op: 'unsubscribe', requestId: requestId() }) };
  if (roll < 0.97) {
    const junk: Array<string | Buffer> = [
      '{"op":',
      'null',
      '[]',
      '42',
      '"connect"',
      '{}',
      '{"op":"nope"}',
      '{"op":{"$ne":1}}',
      '{"op":"subscribe"}',
      '{"op":"subscribe","requestId":1,"query":{"className":"FzA"}}',
      '{"op":"connect","__proto__":{"polluted":1},"applicationId":"x"}',
      '{"op":"subscribe","requestId":1,"query":{"className":"FzA","where":{"__proto__":{"polluted":1}}}}',
      Buffer.from([0, 1, 2, 255]),
      '\u0000',
      '\ud800',
    ];
    return { kind: 'malformed', frame: rng.pick(junk) };
  }
  // Deep or huge: nested $or near and past the frame limit, a long string past it.
  if (rng.chance(0.5)) {
    let where: Json = { str: 'x' };
    const depth = rng.pick([50, 200, 1000]);
    for (let i = 0; i < depth; i++) where = { $or: [where] };
    return {
      kind: 'deep',
      frame: JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: 'FzA', where } }),
    };
  }
  const size = rng.pick([world.maxFrame - 200, world.maxFrame + 1, world.maxFrame * 4]);
  return {
    kind: 'huge',
    frame: JSON.stringify({
      op: 'subscribe',
      requestId: 1,
      query: { className: 'FzA', where: { str: 'y'.repeat(size) } },
    }),
  };
}

const ANSWERS = new Set(['connected', 'subscribed', 'unsubscribed', 'error']);

/** One socket of the LiveQuery fuzzer: sends a frame, waits for its answer (or the close), keeps every frame. */
export class LiveLane {
  readonly frames: string[] = [];
  closed: { code: number; reason: string } | undefined;
  #waiter: (() => void) | undefined;
  #answers = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      this.frames.push(text);
      try {
        if (ANSWERS.has(String((JSON.parse(text) as { op?: unknown }).op))) this.#answers += 1;
      } catch {
        this.#answers += 1; // a non-JSON frame is an answer too (and a failure the caller sees in `frames`)
      }
      this.#waiter?.();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.#waiter?.();
    });
    socket.on('error', () => this.#waiter?.());
  }

  static open(url: string): Promise<LiveLane> {
    const socket = new WebSocket(url.replace(/^http/, 'ws'));
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new LiveLane(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Sends `frame`; resolves 'answered', 'closed' or 'hung' (nothing within `ms`). */
  send(frame: string | Buffer, ms: number): Promise<'answered' | 'closed' | 'hung'> {
    const before = this.#answers;
    this.socket.send(frame);
    return new Promise((resolve) => {
      const settle = (): boolean => {
        if (this.#answers > before) return done('answered');
        if (this.closed !== undefined) return done('closed');
        return false;
      };
      const timer = setTimeout(() => done('hung'), ms);
      const done = (result: 'answered' | 'closed' | 'hung'): true => {
        clearTimeout(timer);
        this.#waiter = undefined;
        resolve(result);
        return true;
      };
      if (!settle()) this.#waiter = () => void settle();
    });
  }

  close(): void {
    this.socket.terminate();
  }
}
