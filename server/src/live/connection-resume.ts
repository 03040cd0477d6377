import type { LiveEvent, LiveHub, LiveQuery } from '../core/index.js';
import type { Logger } from '../infra/index.js';
import { resyncFrame, subscribedFrame } from './frames.js';
import type { FrameTarget } from './frames.js';
import type { ResumeHandoff } from './handoff.js';
import { eventKey } from './resume.js';
import type { KeptEvent, ResumeWindow, SubscriptionState } from './resume.js';

/**
 * A client's `resume` on one connection: of a subscription this server keeps (`resumeHere`), or of one another
 * live server handed out (`resumeFromElsewhere`, over `handoff.ts`). `LiveConnection` runs them with itself as
 * the `ResumingConnection`.
 */

/** What a resume needs of the connection it runs on. */
export interface ResumingConnection {
  readonly hub: LiveHub;
  readonly window: ResumeWindow;
  /** Resume across live servers; absent: only this server's subscriptions resume. */
  readonly handoff: ResumeHandoff | undefined;
  readonly logger: Logger;
  /** Where the hub's events for a subscription go (afterLiveQueryEvent, then the window). */
  readonly deliver: (state: SubscriptionState, event: LiveEvent) => void;
  /** Who the frames are for (the client id, its installation). */
  target(): FrameTarget;
  /** True once the socket closed. */
  closed(): boolean;
  /** The subscription under `requestId` on this connection. */
  subscription(requestId: number): SubscriptionState | undefined;
  /** Hands the subscription's events to this socket under `requestId`. */
  attach(requestId: number, state: SubscriptionState): void;
  newState(options: {
    subscription: SubscriptionState['subscription'];
    owner: string;
    auth: LiveQuery['auth'];
  }): SubscriptionState;
  sendEvent(requestId: number, event: KeptEvent): void;
  send(text: string): void;
}

/**
 * `resume` of a subscription this server keeps: takes it back from the window, replays the events after the
 * client's seq and confirms with `subscribed` (true). False when the events are no longer all kept (or the
 * seq was never reached), or the subscription is unknown here or another caller's: the client must resync;
 * `elsewhere` when another server handed out its id.
 */
export function resumeHere(
  connection: ResumingConnection,
  request: { requestId: number; resume: { subscriptionId: string; seq: number }; owner: string },
): boolean | 'elsewhere' {
  const { requestId, resume, owner } = request;
  const window = connection.window;
  const state = window.take(resume.subscriptionId, owner);
  if (state === undefined) {
    return connection.handoff?.holderOf(resume.subscriptionId) === undefined ? false : 'elsewhere';
  }
  const missed = window.since(state, resume.seq);
  if (missed === undefined) {
    window.end(state);
    return false;
  }
  const existing = connection.subscription(requestId);
  if (existing !== undefined && existing !== state) window.end(existing);
  connection.attach(requestId, state);
  for (const event of missed) connection.sendEvent(requestId, event);
  connection.send(subscribedFrame(connection.target(), requestId, state.subscriptionId));
  return true;
}

/**
 * `resume` of a subscription another live server handed out (`handoff.ts`): the query is subscribed here first
 * and its events buffered, then the holder is asked for the events after the client's seq. They are replayed,
 * numbering goes on after them, and the buffer follows minus what the holder had already numbered. When the
 * holder is gone or refuses, the client is told `resync` and the new subscription (with what it buffered) is
 * its fresh one. Answers `subscribed` with a new id (this server's).
 */
export async function resumeFromElsewhere(
  connection: ResumingConnection,
  options: { requestId: number; query: LiveQuery; owner: string; resume: { subscriptionId: string; seq: number } },
): Promise<void> {
  const { requestId, query, owner, resume } = options;
  const handoff = connection.handoff as ResumeHandoff;
  const buffered: LiveEvent[] = [];
  const holder: { state?: SubscriptionState } = {};
  const subscription = await connection.hub.subscribe(query, (event) => {
    if (holder.state === undefined) buffered.push(event);
    else connection.deliver(holder.state, event);
  });
  const answer = await handoff.ask({ subscriptionId: resume.subscriptionId, owner, seq: resume.seq });
  if (connection.closed()) {
    // The client is gone again; what the holder gave is lost, and its next resume is told to resync.
    subscription.close();
    return;
  }
  const window = connection.window;
  const state = connection.newState({ subscription, owner, auth: query.auth });
  const existing = connection.subscription(requestId);
  if (existing !== undefined) window.end(existing);
  window.track(state);
  connection.attach(requestId, state);
  let seen: ReadonlySet<string> = new Set();
  if (answer.ok) {
    state.seq = answer.seq;
    for (const event of answer.events) {
      window.keep(state, event);
      connection.sendEvent(requestId, event);
    }
    seen = new Set(answer.keys);
  } else {
    connection.logger.debug({ reason: answer.reason }, 'LiveQuery resume from another server: resync');
    connection.send(resyncFrame(connection.target(), requestId));
  }
  connection.send(subscribedFrame(connection.target(), requestId, state.subscriptionId));
  // From here on the hub's events go straight through; first the buffered ones the holder did not number.
  holder.state = state;
  for (const event of buffered) {
    if (event.op !== 'error' && seen.has(eventKey(event))) continue;
    connection.deliver(state, event);
  }
}
