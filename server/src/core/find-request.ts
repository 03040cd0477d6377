import type { Auth } from '../auth/index.js';
import type { RequestOrigin } from './hook-caller.js';
import type { QueryHintsRequest } from './query-hints.js';

export interface FindRequest extends QueryHintsRequest {
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
