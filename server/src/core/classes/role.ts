import { ErrorCode, ParseError } from '../../errors/index.js';
import type { ClassRules } from './rules.js';

/**
 * `_Role` rules (rest.md §8): a new role needs a `name` and an `ACL` (111). Name uniqueness is the unique
 * index's job (137); name format and immutability are checked by the SDKs, not by Parse Server.
 */
export const roleRules: ClassRules = {
  beforeWrite({ input, isCreate }) {
    if (!isCreate) return;
    const name = input.fields['name'];
    if (name === undefined || name.op !== 'set' || typeof name.value !== 'string' || name.value === '') {
      throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: 'name is required.' });
    }
    if (input.ACL === undefined) throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: 'ACL is required.' });
  },
};
