import { isMasterLike } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { ClassRules } from './rules.js';

/**
 * `_Installation` rules (rest.md §9, security.md §2). Reads: a client may read an installation by its id
 * (ACL permitting), but never query the class (find, count, a sub-query): every installation's
 * `deviceToken` would otherwise be one `GET /classes/_Installation` away, and parse-server answers 119.
 * Writes: installationId upsert, device-token dedup and the immutable deviceType (rest.md §9) are not
 * implemented yet, and without them clients could corrupt push targeting, so until the push issue brings
 * them (opening create/update of one's own installation: that is `beforeWrite` here) only the master key
 * may write the class.
 */
export const installationRules: ClassRules = {
  beforeWrite({ auth }) {
    if (!isMasterLike(auth)) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  },
  beforeDelete({ auth }) {
    if (!isMasterLike(auth)) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  },
  beforeFind({ auth, byId }) {
    if (!byId && !isMasterLike(auth)) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  },
};
