import { objectToJSON } from '../core/index.js';
import type { LiveEventOp, OutputObject } from '../core/index.js';
import type { EncodeOptions } from '../schema/index.js';

/**
 * LiveQuery's own error codes (spec/livequery.md §3), besides Parse's (119, 209, 102, 141...) that checks
 * and hooks answer with. These are protocol codes, not REST errors, so they live here rather than in the
 * REST error catalog.
 */
export const LIVE_ERROR = {
  /** A frame that fails validation (reconnect true, as Parse). */
  INVALID_FRAME: 1,
  /** Not connected yet, or no subscription with that requestId. */
  NOT_CONNECTED: 2,
  /** The connect frame's app id or keys are not this app's. */
  INVALID_KEYS: 4,
  /** Strata: more subscriptions on one connection than `--live-query-max-subscriptions`. */
  TOO_MANY_SUBSCRIPTIONS: 155,
  /**
   * Strata: more subscriptions that re-query per write (sub-queries, `$relatedTo`, Relation fields) on one
   * connection than `--live-query-max-subquery-subscriptions` (the same code, its own message).
   */
  TOO_MANY_SUBQUERY_SUBSCRIPTIONS: 155,
} as const;

/** WebSocket close codes Strata uses (1008: policy violation; 1013: try again later). */
export const CLOSE_CODE = {
  /** The client fell behind: its send queue went past `--live-query-max-queue` bytes. */
  SLOW_CLIENT: 1013,
  /** A server shutting down. */
  GOING_AWAY: 1001,
} as const;

/** Who the frames are for: the server's id of the connection and the installation id it connected with. */
export interface FrameTarget {
  readonly clientId: string;
  readonly installationId?: string | undefined;
}

function head(op: string, target: FrameTarget): Record<string, unknown> {
  const frame: Record<string, unknown> = { op, clientId: target.clientId };
  if (target.installationId !== undefined) frame['installationId'] = target.installationId;
  return frame;
}

export function connectedFrame(target: FrameTarget): string {
  return JSON.stringify(head('connected', target));
}

export function subscribedFrame(target: FrameTarget, requestId: number, subscriptionId: string): string {
  return JSON.stringify({ ...head('subscribed', target), requestId, subscriptionId });
}

export function unsubscribedFrame(target: FrameTarget, requestId: number): string {
  return JSON.stringify({ ...head('unsubscribed', target), requestId });
}

export function errorFrame(options: {
  code: number;
  error: string;
  reconnect: boolean;
  requestId?: number | undefined;
}): string {
  return JSON.stringify({
    op: 'error',
    code: options.code,
    error: options.error,
    reconnect: options.reconnect,
    requestId: options.requestId ?? null,
  });
}

/** Strata's resume extension: the window no longer holds the events after the client's `seq`; re-query. */
export function resyncFrame(target: FrameTarget, requestId: number): string {
  return JSON.stringify({ ...head('resync', target), requestId });
}

/** An event frame body without the per-connection head, encoded once per event (`live-server.ts`). */
export function eventBody(options: {
  op: LiveEventOp;
  object: OutputObject;
  original?: OutputObject | undefined;
  encode: EncodeOptions;
}): { object: unknown; original?: unknown } {
  const { encode } = options;
  return {
    object: objectToJSON(options.object, encode),
    ...(options.original === undefined ? {} : { original: objectToJSON(options.original, encode) }),
  };
}

/** The JSON members (`"object":…,"original":…`) of event bodies, kept while the body lives. */
const bodyMembers = new WeakMap<object, string>();

/**
 * An event frame. A body shared by several subscribers (one write, many sockets) is serialized once: only the
 * per-connection head, `requestId` and `seq` are serialized per frame (the members come out in the same order).
 */
export function eventFrame(
  target: FrameTarget,
  options: { op: LiveEventOp; requestId: number; seq: number; body: { object: unknown; original?: unknown } },
): string {
  let members = bodyMembers.get(options.body);
  if (members === undefined) {
    members = JSON.stringify(options.body).slice(1, -1);
    bodyMembers.set(options.body, members);
  }
  const start = JSON.stringify({ ...head(options.op, target), requestId: options.requestId, seq: options.seq });
  return members === '' ? start : `${start.slice(0, -1)},${members}}`;
}
