import { isIpcInterestMessage, isIpcPubSubMessage } from './pubsub-ipc.js';
import type { IpcInterestMessage, IpcPubSubMessage } from './pubsub-ipc.js';
import type { Topics } from './pubsub.js';

type Send = (message: IpcPubSubMessage | IpcInterestMessage) => void;

/** A declaration waiting for the workers it changed (or that had not yet applied an earlier change) to apply. */
interface Declaration {
  readonly seq: number;
  readonly pending: Set<number>;
}

interface Peer {
  readonly send: Send;
  /**
   * It has spoken: its IPC listener is attached (a message sent before that is lost), so it can be told what the
   * others want. Until then it sends everything, which is safe.
   */
  heard: boolean;
  /** Per channel, the topics this worker declared; a channel it never declared: everything. */
  readonly wants: Map<string, ReadonlySet<string> | '*'>;
  /** Per channel, what it was last told the others want (a key of `Topics`), and that message's id until applied. */
  readonly told: Map<string, string>;
  readonly unapplied: Map<string, number>;
  /** Its declarations not yet answered, oldest first: answered in order. */
  readonly declarations: Declaration[];
}

/**
 * The primary's side of the IPC pub/sub (`createIpcPubSub` is the workers'): relays each published message, a
 * message without a topic to every worker (the sender included), one with a topic only to the other workers that
 * want it; and keeps each worker told what the others want, so a publisher skips what nobody reads. A worker that
 * declares more waits (`declared`) until every other worker has applied it: a LiveQuery subscription is confirmed
 * only once the writes of every worker will reach it. A worker wants everything until it declares, and a joining
 * worker makes the others send everything until then (its first declaration only narrows, so it needs no wait).
 * The process side is injected: `add` takes a worker's `send`; the caller passes each message it gets to `receive`.
 */
export class IpcRelay {
  readonly #peers = new Map<number, Peer>();
  /** An `others` message's id → the declarations waiting for it to be applied. */
  readonly #waiting = new Map<number, Set<Declaration>>();
  #nextId = 1;

  /** A worker joined (forked): the others are told it wants everything; it is told what they want once it speaks. */
  add(id: number, send: Send): void {
    this.#peers.set(id, {
      send,
      heard: false,
      wants: new Map(),
      told: new Map(),
      unapplied: new Map(),
      declarations: [],
    });
    for (const channel of this.#channels()) this.#update(channel, undefined);
  }

  /** A worker is gone: nothing more is sent to it or waited from it; the others stop sending what only it wanted. */
  remove(id: number): void {
    const peer = this.#peers.get(id);
    if (peer === undefined) return;
    this.#peers.delete(id);
    for (const messageId of peer.unapplied.values()) this.#applied(messageId);
    for (const channel of this.#channels()) this.#update(channel, undefined);
  }

  /** Handles one message from worker `from`; false when it is not a pub/sub or interest message. */
  receive(from: number, message: unknown): boolean {
    if (isIpcPubSubMessage(message)) {
      this.#relay(from, message);
      return true;
    }
    if (!isIpcInterestMessage(message)) return false;
    const peer = this.#peers.get(from);
    if (peer === undefined) return true;
    peer.heard = true;
    if (message.strataInterest === 'declare') {
      peer.wants.set(message.channel, message.topics === '*' ? '*' : new Set(message.topics));
      const declaration: Declaration = { seq: message.seq, pending: new Set() };
      peer.declarations.push(declaration);
      this.#update(message.channel, { from, declaration });
      this.#answer(peer);
    } else if (message.strataInterest === 'applied') {
      for (const [channel, id] of peer.unapplied) if (id === message.id) peer.unapplied.delete(channel);
      this.#applied(message.id);
    }
    return true;
  }

  #relay(from: number, message: IpcPubSubMessage): void {
    const { topic } = message;
    for (const [id, peer] of this.#peers) {
      if (topic !== undefined) {
        if (id === from) continue;
        const wants = peer.wants.get(message.channel);
        if (wants !== undefined && wants !== '*' && !wants.has(topic)) continue;
      }
      peer.send(message);
    }
  }

  /** Every channel some worker declared or was told about. */
  #channels(): Set<string> {
    const channels = new Set<string>();
    for (const peer of this.#peers.values()) {
      for (const channel of peer.wants.keys()) channels.add(channel);
      for (const channel of peer.told.keys()) channels.add(channel);
    }
    return channels;
  }

  /**
   * Tells each worker whose view of `channel` changed what the others want now. A declaration (`cause`) waits for
   * those messages, and for any earlier one a worker has not applied yet (it may carry what the declarer needs); not
   * for the declarer's own view (what it sends does not decide what it receives).
   */
  #update(channel: string, cause: { from: number; declaration: Declaration } | undefined): void {
    for (const [id, peer] of this.#peers) {
      if (!peer.heard) continue;
      const topics = this.#othersOf(id, channel);
      const key = topics === '*' ? '*' : JSON.stringify(topics);
      let waitFor: number | undefined;
      if (peer.told.get(channel) !== key) {
        const messageId = this.#nextId++;
        peer.told.set(channel, key);
        peer.unapplied.set(channel, messageId);
        peer.send({ strataInterest: 'others', channel, topics, id: messageId });
        waitFor = messageId;
      } else {
        waitFor = peer.unapplied.get(channel);
      }
      if (cause !== undefined && waitFor !== undefined && id !== cause.from) {
        cause.declaration.pending.add(waitFor);
        let waiting = this.#waiting.get(waitFor);
        if (waiting === undefined) this.#waiting.set(waitFor, (waiting = new Set()));
        waiting.add(cause.declaration);
      }
    }
  }

  /** What every worker but `id` wants of `channel`, topics sorted. */
  #othersOf(id: number, channel: string): Topics {
    const topics = new Set<string>();
    for (const [other, peer] of this.#peers) {
      if (other === id) continue;
      const wants = peer.wants.get(channel);
      if (wants === undefined || wants === '*') return '*';
      for (const topic of wants) topics.add(topic);
    }
    return [...topics].sort();
  }

  #applied(messageId: number): void {
    const waiting = this.#waiting.get(messageId);
    if (waiting === undefined) return;
    this.#waiting.delete(messageId);
    for (const declaration of waiting) declaration.pending.delete(messageId);
    for (const peer of this.#peers.values()) this.#answer(peer);
  }

  /** Answers a worker's settled declarations, oldest first, stopping at the first still waiting. */
  #answer(peer: Peer): void {
    let seq: number | undefined;
    while (peer.declarations.length > 0 && (peer.declarations[0] as Declaration).pending.size === 0) {
      seq = peer.declarations.shift()?.seq;
    }
    if (seq !== undefined) peer.send({ strataInterest: 'declared', seq });
  }
}
