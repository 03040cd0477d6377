import { ErrorCode, ParseError } from '../../errors/index.js';
import type { AuthProvider } from './provider.js';

/**
 * `authData.anonymous`: the client makes up an id (a UUID) and nothing is verified; whoever knows the id
 * is that user, exactly as in Parse. Enabled by `enableAnonymousUsers`.
 */
export const anonymousProvider: AuthProvider = {
  validateAuthData({ authData }) {
    const id = authData['id'];
    if (typeof id !== 'string' || id === '') {
      return Promise.reject(new ParseError(ErrorCode.OBJECT_NOT_FOUND, { message: 'Anonymous id is missing.' }));
    }
    return Promise.resolve();
  },
};
