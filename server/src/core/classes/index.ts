/**
 * Rules of the system classes (`_User`, `_Session`, `_Role`, `_Installation`), plugged into the generic
 * operations. Today they keep clients out of classes whose own behaviour (password hashing, session
 * tokens, role graphs, installation dedup) arrives with the users issue; the master key is unaffected.
 */
import { protectedSystemClass } from './protected.js';
import type { ClassRules } from './rules.js';

export type { ClassRules } from './rules.js';

const NO_RULES: ClassRules = {};

const RULES: ReadonlyMap<string, ClassRules> = new Map([
  ['_User', protectedSystemClass],
  ['_Session', protectedSystemClass],
  ['_Role', protectedSystemClass],
  ['_Installation', protectedSystemClass],
]);

export function classRules(className: string): ClassRules {
  return RULES.get(className) ?? NO_RULES;
}
