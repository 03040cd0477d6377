import type { Auth } from '../../auth/index.js';
import type { ParseError } from '../../errors/index.js';
import type { OutputObject } from '../output.js';
import type { LiveEventOp } from './event-decision.js';

/*
 * What a live query is and what its subscriber receives: the hub's side of the contract with the front ends
 * (`live/` sockets, `graphql/` subscriptions).
 */

/** One live query: what to watch and for whom. */
export interface LiveQuery {
  readonly className: string;
  /** The REST JSON `where` (`{}` or absent: every object of the class). */
  readonly where?: unknown;
  /** Fields to send (plus className, objectId, createdAt, updatedAt, ACL); absent: all the subscriber may read. */
  readonly keys?: readonly string[];
  /** `update`/`create` only when one of these fields changed. */
  readonly watch?: readonly string[];
  /**
   * Pointer fields (dot paths, beyond Parse) sent as the objects they point at, read as the subscriber through
   * `core.getPointed` (CLP get, ACL, protected fields); a pointer it cannot read stays a bare pointer.
   */
  readonly include?: readonly string[];
  /** The subscriber, resolved by `core.authenticate`. A user's session is re-checked when sessions change. */
  readonly auth: Auth;
}

/** What a subscriber receives: an event shaped for it, or a refusal that arose after subscribing (CLP change). */
export type LiveEvent =
  | {
      readonly op: LiveEventOp;
      readonly className: string;
      readonly objectId: string;
      /** The change it comes from (`ChangeEvent.id`): the same on every server, unique per write. */
      readonly changeId: string;
      readonly object: OutputObject;
      /** The state before the write, when the subscriber could read it (update, leave, enter after a change). */
      readonly original?: OutputObject;
    }
  | { readonly op: 'error'; readonly error: ParseError };

export type LiveListener = (event: LiveEvent) => void;

/** A registered live query. */
export interface LiveSubscription {
  /** Swaps the query (LiveQuery's `update`): checked like a new one; on refusal the old query stays. */
  replace(query: LiveQuery): Promise<void>;
  /** Resolves once every change this server received before the call has been matched and delivered for it. */
  settled(): Promise<void>;
  /** Stops the events; safe to call twice. */
  close(): void;
}
