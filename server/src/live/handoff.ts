import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger, PubSub } from '../infra/index.js';
import type { KeptEvent, ResumeWindow } from './resume.js';

/**
 * What the server that held a subscription answers a resume that reached another server: the events after the
 * client's `seq`, the sequence number to go on from, and the keys of the events it numbered (the asker drops
 * those from what it buffered meanwhile); or why not, and then the client is told to resync.
 */
export type Handoff =
  | {
      readonly ok: true;
      readonly seq: number;
      readonly events: readonly KeptEvent[];
      readonly keys: readonly string[];
    }
  | { readonly ok: false; readonly reason: HandoffRefusal };

/**
 * `gone`: no server listens for the holder (it crashed or stopped); `unknown`: the holder does not keep that
 * subscription for that caller (expired, ended, someone else's); `lost`: the holder no longer keeps every event
 * after `seq`, or never reached it; `timeout`: no answer in time.
 */
export type HandoffRefusal = 'gone' | 'unknown' | 'lost' | 'timeout';

export interface ResumeHandoffOptions {
  /** The pub/sub the live servers share (Redis, or the cluster's IPC between workers). */
  readonly pubsub: PubSub;
  readonly window: ResumeWindow;
  readonly logger: Logger;
  /** How long an asking server waits for the holder's answer before telling its client to resync. */
  readonly timeoutMs: number;
}

/** Each server's own channel: asks come to the holder on it, answers go back to the asker on its own. */
const CHANNEL = 'live:handoff:';
const SERVER_ID = /^[0-9a-f]{24}$/;
const OPS = new Set(['create', 'enter', 'update', 'leave', 'delete']);

/**
 * Resume across live servers (Strata's extension): the subscription ids a server hands out start with its own
 * id, so a resume that reaches another server (round-robin behind a proxy, a restarted server) knows whom to
 * ask. The new server subscribes the query first and buffers its events, then asks the holder over pub/sub; the
 * holder stops its subscription, lets running afterLiveQueryEvent hooks finish, and answers with the kept events
 * past the client's `seq`. The new server replays them, goes on numbering after them, and delivers what it
 * buffered minus what the holder had already numbered (the overlap while both were subscribed), so nothing is
 * lost or repeated. The holder must still be running: events kept by a server that crashed are gone (resync).
 *
 * @example
 * const handoff = new ResumeHandoff({ pubsub, window, logger, timeoutMs: 5000 });
 * const answer = await handoff.ask({ subscriptionId, owner, seq });
 */
export class ResumeHandoff {
  readonly serverId = randomBytes(12).toString('hex');
  readonly #pubsub: PubSub;
  readonly #window: ResumeWindow;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #waiting = new Map<string, (answer: Handoff) => void>();
  /** Listening on this server's channel (asks can only come for ids handed out after this). */
  readonly #listening: Promise<(() => void) | undefined>;
  #closed = false;

  constructor(options: ResumeHandoffOptions) {
    this.#pubsub = options.pubsub;
    this.#window = options.window;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs;
    this.#listening = options.pubsub
      .subscribe(CHANNEL + this.serverId, (message) => this.#receive(message))
      .catch((err: unknown) => {
        this.#logger.error({ err }, 'LiveQuery resume: cannot listen for hand-offs; resumes from other servers fail');
        return undefined;
      });
  }

  /** A new subscription id: this server's id, then a random part (the part that makes it unguessable). */
  newId(): string {
    return `${this.serverId}.${randomUUID()}`;
  }

  /** The server that handed out `subscriptionId`, when it is another one; undefined for this server's or junk. */
  holderOf(subscriptionId: string): string | undefined {
    const dot = subscriptionId.indexOf('.');
    if (dot === -1) return undefined;
    const server = subscriptionId.slice(0, dot);
    return SERVER_ID.test(server) && server !== this.serverId ? server : undefined;
  }

  /**
   * Asks the holder of `subscriptionId` to hand it over for `owner` (the resuming caller, checked by the holder
   * against the one that subscribed). Resolves with the holder's answer; never rejects.
   */
  async ask(request: { subscriptionId: string; owner: string; seq: number }): Promise<Handoff> {
    const holder = this.holderOf(request.subscriptionId);
    if (holder === undefined || this.#closed) return { ok: false, reason: 'unknown' };
    await this.#listening;
    const nonce = randomUUID();
    const answer = new Promise<Handoff>((resolve) => {
      const timer = setTimeout(() => settle({ ok: false, reason: 'timeout' }), this.#timeoutMs);
      timer.unref();
      const settle = (value: Handoff): void => {
        clearTimeout(timer);
        this.#waiting.delete(nonce);
        resolve(value);
      };
      this.#waiting.set(nonce, settle);
    });
    const ask = { t: 'ask', id: request.subscriptionId, owner: request.owner, seq: request.seq };
    let reached: number | undefined;
    try {
      reached = await this.#pubsub.publish(CHANNEL + holder, JSON.stringify({ ...ask, from: this.serverId, nonce }));
    } catch (err) {
      this.#logger.warn({ err }, 'LiveQuery resume: could not ask the holding server');
      reached = 0;
    }
    // Nobody listens on the holder's channel: it is gone, no need to wait.
    if (reached === 0) this.#waiting.get(nonce)?.({ ok: false, reason: 'gone' });
    return answer;
  }

  /** Stops listening; asks still waiting are answered `gone`. */
  close(): void {
    this.#closed = true;
    void this.#listening.then((stop) => stop?.());
    for (const settle of [...this.#waiting.values()]) settle({ ok: false, reason: 'gone' });
  }

  #receive(message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (!isRecord(parsed)) return;
    if (parsed['t'] === 'ask') {
      this.#give(parsed).catch((err: unknown) => this.#logger.error({ err }, 'LiveQuery resume: hand-off failed'));
    } else if (parsed['t'] === 'give' && typeof parsed['nonce'] === 'string') {
      const settle = this.#waiting.get(parsed['nonce']);
      if (settle !== undefined) settle(decodeAnswer(parsed));
    }
  }

  /** An ask for a subscription this server may hold: it is given away (or refused) and the asker answered. */
  async #give(ask: Record<string, unknown>): Promise<void> {
    const { id, owner, seq, from, nonce } = ask;
    if (
      typeof id !== 'string' ||
      typeof owner !== 'string' ||
      typeof seq !== 'number' ||
      !Number.isSafeInteger(seq) ||
      typeof from !== 'string' ||
      !SERVER_ID.test(from) ||
      typeof nonce !== 'string'
    ) {
      return;
    }
    const state = this.#window.release(id, owner);
    let answer: Handoff = { ok: false, reason: 'unknown' };
    if (state !== undefined) {
      // Every change this server received before the ask is matched for it first: the asker subscribed before
      // asking, so it has every later change, and nothing falls between the two.
      try {
        await state.subscription.settled();
      } finally {
        state.subscription.close();
      }
      // afterLiveQueryEvent runs still going finish: what they let through is numbered too.
      while (state.hookPending > 0) await state.hookChain;
      const events = this.#window.since(state, seq);
      answer =
        events === undefined
          ? { ok: false, reason: 'lost' }
          : { ok: true, seq: state.seq, events, keys: state.kept.map((event) => event.key) };
    }
    await this.#pubsub.publish(CHANNEL + from, JSON.stringify({ t: 'give', nonce, ...answer }));
  }
}

function decodeAnswer(raw: Record<string, unknown>): Handoff {
  if (raw['ok'] !== true) {
    const reason = raw['reason'];
    return { ok: false, reason: reason === 'unknown' || reason === 'lost' ? reason : 'gone' };
  }
  const { seq, events, keys } = raw;
  if (
    typeof seq !== 'number' ||
    !Number.isSafeInteger(seq) ||
    !Array.isArray(events) ||
    !events.every(isKeptEvent) ||
    !Array.isArray(keys) ||
    !keys.every((key) => typeof key === 'string')
  ) {
    return { ok: false, reason: 'lost' };
  }
  return { ok: true, seq, events, keys };
}

function isKeptEvent(value: unknown): value is KeptEvent {
  return (
    isRecord(value) &&
    typeof value['seq'] === 'number' &&
    typeof value['op'] === 'string' &&
    OPS.has(value['op']) &&
    typeof value['className'] === 'string' &&
    typeof value['key'] === 'string' &&
    isRecord(value['body'])
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
