import { pluralize } from './pluralize.js';

/**
 * Parse's GraphQL names of a class (spec/graphql.md §2): the class name without its leading `_`, first
 * letter upper-cased (`_User` → `User`, `gameScore` → `GameScore`), its lower-camel form for the get query
 * and the English plural of that for the find query (`person` → `people`).
 */
export interface ClassNames {
  readonly className: string;
  /** The object type: `GameScore`. */
  readonly type: string;
  /** The get query and the payload field: `gameScore`. */
  readonly single: string;
  /** The find query: `gameScores` (`find<Type>` when the plural is the singular itself). */
  readonly plural: string;
}

export function classNames(className: string): ClassNames {
  const bare = className.startsWith('_') ? className.slice(1) : className;
  const type = bare.charAt(0).toUpperCase() + bare.slice(1);
  const single = type.charAt(0).toLowerCase() + type.slice(1);
  const plural = pluralize(single);
  // A name whose plural is itself (`aliceFinds`, `news`) would take the get query's name: find is `find<Type>`.
  return { className, type, single, plural: plural === single ? `find${type}` : plural };
}

/** A GraphQL name can hold only `[_A-Za-z][_0-9A-Za-z]*`; classes or fields named otherwise are left out. */
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

export function isGraphQLName(name: string): boolean {
  return NAME.test(name) && !name.startsWith('__');
}
