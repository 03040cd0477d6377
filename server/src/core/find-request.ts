import type { Auth } from '../auth/index.js';
import type { RequestOrigin } from './hook-caller.js';
import type { QueryHintsRequest } from './query-hints.js';

/**
 * Marks the find an include runs for a class that has find triggers: it is checked as a CLP `get` by id, like
 * every include (spec/security.md §4.2), not as a `find`, so a trigger's presence never changes who may include.
 * A symbol, so no request decoded from JSON can carry it.
 */
export const INCLUDE_READ: unique symbol = Symbol('include read');

export interface FindRequest extends QueryHintsRequest {
  readonly [INCLUDE_READ]?: true;
  readonly auth: Auth;
  readonly className: string;
  /** The REST `where` object; validated here against the class schema. */
  readonly where?: unknown;
  readonly order?: string;
  readonly limit?: number;
  readonly skip?: number;
  readonly keys?: readonly string[];
  readonly excludeKeys?: readonly string[];
  /** Dot paths; `*` includes every top-level pointer. */
  readonly include?: readonly string[];
  readonly count?: boolean;
  /** Query the target class of this Relation field instead; results get `className` (redirect.ts). */
  readonly redirectClassNameForKey?: string;
  /** Return the database plan instead of objects (master key unless `allowPublicExplain`). */
  readonly explain?: boolean;
  /** Where the call came from, for cloud code (context, ip, headers). */
  readonly origin?: RequestOrigin;
}
