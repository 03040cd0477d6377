import { ErrorCode, ParseError, masterKeyRequired } from '../errors/index.js';
import type { Auth } from './auth.js';

/**
 * The master-key rules (security.md §2), in one place for every door:
 * - the master key may do everything;
 * - the read-only master key may read everything and write nothing (119);
 * - the maintenance key bypasses ACLs and CLPs on data routes (see `isMasterLike`) but is **not** accepted
 *   where the master key is explicitly required (schemas, jobs, job schedules, hooks, config writes,
 *   aggregate, purge, serverInfo, file deletes, `loginAs`), as in parse-server, where it carries no
 *   `isMaster`; for file uploads it is a caller without a user, under the public upload policy.
 */

/** How a master-only operation refuses. */
export interface MasterRequirement {
  /** `read` lets the read-only master key through; `write` refuses it. */
  readonly access: 'read' | 'write';
  /**
   * What the read-only master key may not do, for its refusal: `run a job` → "read-only masterKey isn't
   * allowed to run a job.". Default: the catalog's "Permission denied" (Parse's sanitized message).
   */
  readonly readOnlyAction?: string;
  /**
   * `403`: every refusal is `403 {"code":119,"error":"Permission denied"}`, as parse-server's files routes
   * answer. Default: no master key → bare `403 {"error":"Permission denied"}`; read-only write → 400 / 119.
   */
  readonly refusalStatus?: 403;
}

/** Throws unless `auth` is the master key, or the read-only master key for a `read`. */
export function requireMaster(auth: Auth, requirement: MasterRequirement): void {
  if (auth.kind === 'master') return;
  const filesStyle = requirement.refusalStatus === 403;
  if (auth.kind === 'readOnlyMaster') {
    if (requirement.access === 'read') return;
    throw readOnlyRefusal(filesStyle ? { httpStatus: 403 } : { action: requirement.readOnlyAction });
  }
  if (filesStyle) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, { httpStatus: 403 });
  throw masterKeyRequired();
}

/**
 * Throws 119 when `auth` is the read-only master key: it writes nothing, anywhere. `action` words the
 * refusal as `requireMaster`'s `readOnlyAction`; `refusalStatus: 403` answers it with 403 (files).
 */
export function assertMayWrite(auth: Auth, options: { action?: string; refusalStatus?: 403 } = {}): void {
  if (auth.kind !== 'readOnlyMaster') return;
  throw readOnlyRefusal(options.refusalStatus === 403 ? { httpStatus: 403 } : { action: options.action });
}

/** Only the master key itself (not read-only, not maintenance): what skips the file upload policy. */
export function isMaster(auth: Auth): boolean {
  return auth.kind === 'master';
}

/** Master-like keys that may also write past the rules clients obey (master, maintenance), e.g. `emailVerified`. */
export function writesAsMaster(auth: Auth): boolean {
  return auth.kind === 'master' || auth.kind === 'maintenance';
}

function readOnlyRefusal(options: { action?: string | undefined; httpStatus?: number }): ParseError {
  return new ParseError(ErrorCode.OPERATION_FORBIDDEN, {
    ...(options.action === undefined ? {} : { message: `read-only masterKey isn't allowed to ${options.action}.` }),
    ...(options.httpStatus === undefined ? {} : { httpStatus: options.httpStatus }),
  });
}
