import type { Auth } from '../auth/index.js';
import type { CloudObjectJSON } from '../cloud/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { ChangeEvent } from './change-event.js';
import type { DeleteTriggers, SaveHooks } from './trigger-state.js';
import type { WriteInput } from './write-input.js';

/**
 * Core's side of the change feed: how an operation hands over what it committed. The feed (`ChangeBus`) is the
 * sink outside transactions; inside one, a `TransactionChanges` buffer holds the changes until the storage
 * transaction commits and drops them when it rolls back, so nothing is ever announced that did not happen.
 */

/**
 * What the writing server knows of a write besides its event: who made it and the state the triggers share.
 * It never leaves the process; only core's own reactions (after-triggers, mails) read it.
 */
export interface WriteDetails {
  readonly auth?: Auth;
  /** Create/update: the write as stored, after beforeSave and the class rules (the mail reaction reads its token). */
  readonly input?: WriteInput;
  /** Create/update of a class with save triggers: what afterSave needs. */
  readonly save?: {
    readonly hooks: SaveHooks;
    readonly schema: ClassSchema;
    /** The keys the client's write named (`request.object.dirtyKeys()`). */
    readonly dirtyKeys: readonly string[];
    /** The object as the triggers saw it before the write (read when beforeSave ran); else from `before`. */
    readonly original?: CloudObjectJSON;
    /** The class before this write grew it (what `original` is shaped with when built from `before`). */
    readonly originalSchema?: ClassSchema;
  };
  /** Delete of a class with delete triggers. */
  readonly deleteTriggers?: DeleteTriggers;
}

/** One committed change: the event every subscriber sees, and the in-process details for core's reactions. */
export interface CommittedChange<E extends ChangeEvent = ChangeEvent> {
  readonly event: E;
  readonly write: WriteDetails;
}

/**
 * When a reaction runs: `commit` right after the change is published (mails: they go out even if the
 * operation then fails, e.g. a sign-up answered 205); `settle` where the operation finishes, after the class
 * rules' follow-ups (afterSave / afterDelete, which Parse runs after the sign-up session exists).
 */
export type ReactionStage = 'commit' | 'settle';

/**
 * A reaction of core to its own committed changes, awaited by the writer. It may answer fields the response
 * gains (an afterSave that returns an object); a thrown error reaches the writer.
 */
export type ChangeReaction = (change: CommittedChange) => Promise<Record<string, unknown> | void>;

export interface ChangeSink {
  /** True inside a transaction: changes wait for the commit. */
  readonly deferred: boolean;
  /**
   * Runs `write` (a storage write and the `publish` of its change) after the earlier writes to the same object
   * (`key`) through this server have published theirs, so one object's events leave in commit order.
   */
  inOrder<T>(key: string, write: () => Promise<T>): Promise<T>;
  /** Announces a committed change to the subscribers (their synchronous part runs now) and to other servers. */
  publish(change: CommittedChange): void;
  /** Runs the reactions of `stage` for a published change; answers the fields they add to the response. */
  react(change: CommittedChange, stage: ReactionStage): Promise<Record<string, unknown>>;
  /** Takes over the changes of a committed transaction, in order (see `TransactionChanges.commit`). */
  accept(entries: readonly PendingChange[]): Promise<void>;
  /** A buffer for a transaction started here; its changes come back through `accept` when it commits. */
  begin(): TransactionChanges;
}

/** A change a transaction holds: `settled` once its operation reached the settle stage. */
export interface PendingChange {
  readonly change: CommittedChange;
  settled: boolean;
}

/**
 * The changes of one open transaction. Reactions are not run now: `react` answers nothing (an afterSave inside a
 * transactional `/batch` cannot alter that sub-response, which is built before the commit) and only notes that
 * the operation settled. When the storage transaction commits, `commit()` hands everything to the parent, which
 * publishes each change and runs its reactions; a rolled-back transaction's buffer is dropped unread.
 */
export class TransactionChanges implements ChangeSink {
  readonly deferred = true;
  readonly #parent: ChangeSink;
  readonly #entries: PendingChange[] = [];
  readonly #byChange = new Map<CommittedChange, PendingChange>();
  #onBuffered: ((event: ChangeEvent) => void) | undefined;

  constructor(parent: ChangeSink) {
    this.#parent = parent;
  }

  inOrder<T>(_key: string, write: () => Promise<T>): Promise<T> {
    // The transaction runs its operations one after another and publishes in that order at the commit; waiting
    // on a lock held by a write outside it could deadlock with SQLite's transaction gate.
    return write();
  }

  /** Tells `listener` of each change as it is buffered (the transaction's own caches: they must see its writes). */
  onBuffered(listener: (event: ChangeEvent) => void): void {
    this.#onBuffered = listener;
  }

  publish(change: CommittedChange): void {
    const entry = { change, settled: false };
    this.#entries.push(entry);
    this.#byChange.set(change, entry);
    this.#onBuffered?.(change.event);
  }

  react(change: CommittedChange, stage: ReactionStage): Promise<Record<string, unknown>> {
    const entry = this.#byChange.get(change);
    if (stage === 'settle' && entry !== undefined) entry.settled = true;
    return Promise.resolve({});
  }

  accept(entries: readonly PendingChange[]): Promise<void> {
    for (const entry of entries) {
      this.#entries.push(entry);
      this.#byChange.set(entry.change, entry);
      this.#onBuffered?.(entry.change.event);
    }
    return Promise.resolve();
  }

  begin(): TransactionChanges {
    return new TransactionChanges(this);
  }

  /** Called once the storage transaction committed. */
  commit(): Promise<void> {
    this.#byChange.clear();
    return this.#parent.accept(this.#entries.splice(0));
  }
}
