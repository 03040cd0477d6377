import { isMasterLike } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { ClassRules } from './rules.js';

/**
 * `_Installation` writes without their own rules (installationId upsert, device-token dedup, immutable
 * deviceType: rest.md §9) would let clients corrupt push targeting, so until the push issue brings those rules
 * only the master key may write the class.
 */
export const masterOnlyWrites: ClassRules = {
  beforeWrite({ auth }) {
    if (!isMasterLike(auth)) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  },
  beforeDelete({ auth }) {
    if (!isMasterLike(auth)) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  },
};
