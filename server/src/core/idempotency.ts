import { ErrorCode, ParseError } from '../errors/index.js';
import { randomString } from '../lib/index.js';
import type { CoreDeps } from './deps.js';

export type { IdempotencyOptions } from './deps.js';

/**
 * `X-Parse-Request-Id` deduplication (rest.md §1.7), recorded in the database so every app server sees it.
 * The first request with an id runs; a repeat while it runs answers 159 "Duplicate request"; a repeat after
 * it succeeded gets the original status and body again. That replay is deliberate and goes beyond
 * parse-server (which answers 159 to every repeat): a client retrying after a lost response learns the
 * outcome, e.g. the objectId it created. Only the same request is replayed (same method, path, caller and
 * body: the front end's fingerprint), so knowing someone's request id never reveals their response.
 * A request that fails is forgotten, so the client may retry it (a failed request changed nothing).
 */

/** A response as the front end sends it; replays carry the same status, headers and body. */
export interface ReplayableResponse {
  readonly status?: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ClaimRequestIdRequest {
  readonly requestId: string;
  /** Identifies the request (method, path, caller, body); built by the front end. */
  readonly fingerprint: string;
}

/**
 * What a front end does with a write carrying a request id: `run` it and report how it ended (`complete`
 * with its response, or `release` when it threw), or answer a stored `replay` of the first response.
 */
export type RequestIdClaim =
  | { readonly kind: 'replay'; readonly response: ReplayableResponse }
  | {
      readonly kind: 'run';
      /** Records the response for replays; a response of status 400 or more releases the id instead. */
      complete(response: ReplayableResponse): Promise<void>;
      /** Forgets the id after a failure, so the client may retry (a failed request changed nothing). */
      release(): Promise<void>;
    };

/** Longest accepted request id; SDKs send UUIDs (36 characters). */
export const MAX_REQUEST_ID_LENGTH = 128;
const REQUEST_ID = /^[\x21-\x7e]+$/;

/** 400 with a clear message for an id that is empty, too long or not printable ASCII. */
export function checkRequestId(requestId: string): void {
  if (requestId.length === 0 || requestId.length > MAX_REQUEST_ID_LENGTH || !REQUEST_ID.test(requestId)) {
    throw new ParseError(ErrorCode.INVALID_VALUE, {
      message: `X-Parse-Request-Id must be 1 to ${MAX_REQUEST_ID_LENGTH} printable ASCII characters without spaces.`,
    });
  }
}

function duplicate(): ParseError {
  return new ParseError(ErrorCode.DUPLICATE_REQUEST);
}

const UNTRACKED: RequestIdClaim = Object.freeze({
  kind: 'run',
  complete: () => Promise.resolve(),
  release: () => Promise.resolve(),
});

/**
 * Claims a write's request id (see the module comment). Without idempotency (or on a backend that cannot
 * record ids) every request simply runs. A repeat while the first still runs, or of another request with
 * the same id, is 159; a repeat of a request that succeeded is its replay.
 */
export async function claimRequestId(deps: CoreDeps, request: ClaimRequestIdRequest): Promise<RequestIdClaim> {
  const options = deps.options.idempotency;
  const { storage } = deps;
  if (
    options === undefined ||
    storage.claimRequestId === undefined ||
    storage.completeRequestId === undefined ||
    storage.releaseRequestId === undefined
  ) {
    return UNTRACKED;
  }
  checkRequestId(request.requestId);
  const now = deps.users.now();
  const token = randomString(10);
  const reqId = request.requestId;
  const state = await storage.claimRequestId({
    reqId,
    token,
    fingerprint: request.fingerprint,
    expire: new Date(now.getTime() + options.ttlSeconds * 1000),
    now,
  });
  if (!state.claimed) {
    if (state.response === undefined || state.fingerprint !== request.fingerprint) throw duplicate();
    return { kind: 'replay', response: JSON.parse(state.response) as ReplayableResponse };
  }
  const release = storage.releaseRequestId.bind(storage);
  const complete = storage.completeRequestId.bind(storage);
  return {
    kind: 'run',
    release: () => release({ reqId, token }).catch(() => undefined),
    async complete(response) {
      if ((response.status ?? 200) >= 400) {
        await release({ reqId, token }).catch(() => undefined);
        return;
      }
      const text = JSON.stringify({
        ...(response.status === undefined ? {} : { status: response.status }),
        body: response.body,
        ...(response.headers === undefined ? {} : { headers: response.headers }),
      });
      // The write is done: failing to record its response must not turn it into an error for the client (a
      // repeat then answers 159 until the id expires, as for a request still running).
      await complete({
        reqId,
        token,
        response: Buffer.byteLength(text) <= options.maxResponseBytes ? text : undefined,
      }).catch(() => undefined);
    },
  };
}
