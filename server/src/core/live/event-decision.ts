/** The frames a subscriber can get for one committed write (spec/livequery.md §3). */
export type LiveEventOp = 'create' | 'enter' | 'update' | 'leave' | 'delete';

/** What one subscriber saw of one write: whether each state matched its query and was readable to it. */
export interface EventView {
  readonly write: 'create' | 'update' | 'delete';
  /** The state before the write exists (updates and deletes). */
  readonly hasOriginal: boolean;
  /** `original` matched the query and the subscriber could read it. */
  readonly originalVisible: boolean;
  /** `current` matches the query and the subscriber can read it (false for deletes). */
  readonly currentVisible: boolean;
}

/**
 * The event one subscriber gets (spec/livequery.md §4), or `undefined` for none:
 * visible before and after → update; only before → leave; only after → enter (create when there was no before).
 * A delete is announced only to subscribers that saw the deleted state.
 */
export function decideEvent(view: EventView): LiveEventOp | undefined {
  if (view.write === 'delete') return view.originalVisible ? 'delete' : undefined;
  if (view.originalVisible) return view.currentVisible ? 'update' : 'leave';
  if (!view.currentVisible) return undefined;
  return view.hasOriginal ? 'enter' : 'create';
}
