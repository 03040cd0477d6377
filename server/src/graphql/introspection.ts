import { Kind } from 'graphql';
import type { DocumentNode, SelectionSetNode } from 'graphql';

/**
 * Whether a document asks for introspection (`__schema` or `__type`, through fragments too). Parse allows it
 * to the master and maintenance keys only unless the app opts in (spec/graphql.md §1); everyone else gets
 * HTTP 403 "Introspection is not allowed". `__typename` is not introspection: clients such as Apollo add it
 * to every selection.
 */
export function introspectionRequested(document: DocumentNode): boolean {
  const visit = (set: SelectionSetNode | undefined): boolean => {
    if (set === undefined) return false;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__schema' || name === '__type' || visit(selection.selectionSet)) return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT && visit(selection.selectionSet)) return true;
    }
    return false;
  };
  // Fragment definitions are checked on their own, wherever they are spread.
  return document.definitions.some(
    (definition) =>
      (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) &&
      visit(definition.selectionSet),
  );
}
