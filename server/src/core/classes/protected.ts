import { isMasterLike } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { ClassRules } from './rules.js';

/**
 * Until sign-up, log-in and sessions exist, a client writing a system class directly could store a
 * plain-text `password` or forge a session, so only the master key may write these classes.
 */
export const protectedSystemClass: ClassRules = {
  beforeWrite({ auth, input }) {
    if (!isMasterLike(auth)) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
    if ('password' in input.fields) {
      throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, {
        message: 'Passwords can be set once user sign-up is available.',
      });
    }
  },
  beforeDelete({ auth }) {
    if (!isMasterLike(auth)) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  },
};
