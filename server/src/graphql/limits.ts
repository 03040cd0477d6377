import { GraphQLError, Kind } from 'graphql';
import type {
  ASTVisitor,
  FragmentDefinitionNode,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationContext,
} from 'graphql';

/**
 * Bounds on what one operation may ask (issue 15 item 6), checked before anything runs: selection depth,
 * aliases, and complexity (every field selected, fragments expanded where used, so a fragment fan-out is counted
 * at its real size). The parser's token limit, set by the handler, bounds the document itself.
 */
export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxComplexity: number;
}

interface Measure {
  depth: number;
  aliases: number;
  complexity: number;
}

/** Large enough for any limit, small enough never to overflow. */
const CAP = 1e9;

interface Walk {
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  readonly visiting: Set<string>;
  readonly memo: Map<string, Measure>;
}

function measure(set: SelectionSetNode | undefined, walk: Walk): Measure {
  const { fragments, visiting, memo } = walk;
  const total: Measure = { depth: 0, aliases: 0, complexity: 0 };
  if (set === undefined) return total;
  for (const selection of set.selections) {
    let inner: Measure;
    if (selection.kind === Kind.FIELD) {
      const child = measure(selection.selectionSet, walk);
      inner = {
        depth: selection.selectionSet === undefined ? 0 : child.depth + 1,
        aliases: child.aliases + (selection.alias === undefined ? 0 : 1),
        complexity: child.complexity + 1,
      };
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(selection.selectionSet, walk);
    } else {
      const name = selection.name.value;
      const known = memo.get(name);
      if (known !== undefined) inner = known;
      else if (visiting.has(name))
        inner = { depth: 0, aliases: 0, complexity: 0 }; // a cycle: NoFragmentCycles reports it
      else {
        visiting.add(name);
        inner = measure(fragments.get(name)?.selectionSet, walk);
        visiting.delete(name);
        memo.set(name, inner);
      }
    }
    total.depth = Math.max(total.depth, inner.depth);
    total.aliases = Math.min(CAP, total.aliases + inner.aliases);
    total.complexity = Math.min(CAP, total.complexity + inner.complexity);
  }
  return total;
}

/** A validation rule enforcing `limits` on every operation of the document. */
export function limitsRule(limits: QueryLimits): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    Document(node) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of node.definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      }
      const memo = new Map<string, Measure>();
      for (const definition of node.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const m = measure((definition as OperationDefinitionNode).selectionSet, {
          fragments,
          visiting: new Set(),
          memo,
        });
        const refuse = (what: string, value: number, max: number): void =>
          context.reportError(
            new GraphQLError(
              `Query ${what} ${value >= CAP ? 'too large' : String(value)} exceeds the limit of ${max}.`,
              {
                extensions: { code: 'QUERY_TOO_COMPLEX' },
              },
            ),
          );
        if (m.depth > limits.maxDepth) refuse('depth', m.depth, limits.maxDepth);
        if (m.aliases > limits.maxAliases) refuse('aliases', m.aliases, limits.maxAliases);
        if (m.complexity > limits.maxComplexity) refuse('complexity', m.complexity, limits.maxComplexity);
      }
      return false;
    },
  });
}
