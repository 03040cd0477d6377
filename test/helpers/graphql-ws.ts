/**
 * GraphQL subscriptions against a compat target with the `graphql-ws` client (over `ws`): a connection with
 * Parse's credentials in its `connection_init` payload, and subscriptions whose results queue up for the test
 * to take in order. Nothing here waits on a clock to decide an outcome: "nothing was sent" is shown by a later
 * event that was sent (one subscription's events arrive in the order of the writes).
 */
import { createClient } from 'graphql-ws';
import type { Client, FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { CompatTarget } from './target.js';

export function graphqlWsURL(target: CompatTarget | string): string {
  const origin = typeof target === 'string' ? target : new URL(target.serverURL).origin;
  return `${origin.replace(/^http/, 'ws')}/graphql`;
}

export interface SocketCaller {
  readonly master?: boolean;
  readonly sessionToken?: string;
  /** Replaces the whole `connection_init` payload. */
  readonly params?: Record<string, unknown>;
  /** Another URL (e.g. through nginx). */
  readonly url?: string;
}

export interface Closed {
  code: number;
  reason: string;
}

export interface GraphQLSocket {
  readonly client: Client;
  /** Resolves with the close event when the socket closes (after an accepted or refused connection). */
  readonly closed: Promise<Closed>;
  /** Resolves when the server acknowledged the connection. */
  readonly connected: Promise<void>;
  subscribe<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Subscription<T>;
  dispose(): Promise<void>;
}

/** Results of one subscription, in order. */
export interface Subscription<T> {
  /** The next result (waits for it); a terminal error or completion is returned as such. */
  next(): Promise<Outcome<T>>;
  /** Resolves once some result is waiting (takes none). */
  arrived(): Promise<void>;
  /** Results received and not taken yet. */
  readonly waiting: number;
  unsubscribe(): void;
}

export type Outcome<T> =
  | { kind: 'next'; result: FormattedExecutionResult<T, unknown> }
  | { kind: 'error'; errors: readonly { message: string; extensions?: Record<string, unknown> }[] }
  | { kind: 'complete' };

export function openGraphQLSocket(target: CompatTarget, caller: SocketCaller = {}): GraphQLSocket {
  const params = caller.params ?? {
    'X-Parse-Application-Id': target.appId,
    'X-Parse-Javascript-Key': target.javascriptKey,
    ...(caller.master === true ? { 'X-Parse-Master-Key': target.masterKey } : {}),
    ...(caller.sessionToken === undefined ? {} : { 'X-Parse-Session-Token': caller.sessionToken }),
  };
  let onClosed: (closed: Closed) => void = () => undefined;
  let onConnected: () => void = () => undefined;
  const closed = new Promise<Closed>((resolve) => (onClosed = resolve));
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client = createClient({
    url: caller.url ?? graphqlWsURL(target),
    webSocketImpl: WebSocket,
    connectionParams: params,
    lazy: false,
    retryAttempts: 0,
    // The test decides when to end; the client must not close an idle socket by itself.
    lazyCloseTimeout: 0,
    onNonLazyError: () => undefined,
    on: {
      connected: () => onConnected(),
      closed: (event) => {
        const close = event as { code?: number; reason?: string };
        onClosed({ code: close.code ?? 0, reason: close.reason ?? '' });
      },
    },
  });
  return {
    client,
    closed,
    connected,
    subscribe<T>(query: string, variables?: Record<string, unknown>): Subscription<T> {
      const queue: Outcome<T>[] = [];
      let waiters: (() => void)[] = [];
      const push = (outcome: Outcome<T>): void => {
        queue.push(outcome);
        const woken = waiters;
        waiters = [];
        for (const wake of woken) wake();
      };
      const arrived = async (): Promise<void> => {
        while (queue.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      };
      const stop = client.subscribe<T>(
        { query, ...(variables === undefined ? {} : { variables }) },
        {
          next: (result) => push({ kind: 'next', result }),
          error: (err) => {
            const errors = Array.isArray(err)
              ? (err as { message: string; extensions?: Record<string, unknown> }[])
              : [{ message: err instanceof Error ? err.message : String((err as { reason?: string }).reason ?? err) }];
            push({ kind: 'error', errors });
          },
          complete: () => push({ kind: 'complete' }),
        },
      );
      return {
        async next() {
          await arrived();
          return queue.shift() as Outcome<T>;
        },
        arrived,
        get waiting() {
          return queue.length;
        },
        unsubscribe: stop,
      };
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}
