import type { Auth } from '../auth/index.js';
import type { CoreDeps } from './deps.js';
import type { FindResult } from './output.js';
import { loadSchemaForRead } from './schema-step.js';

/**
 * `redirectClassNameForKey=<field>` (rest.md §4.5, queries.md §6): when `<field>` is a Relation field of
 * the queried class, the find runs on the relation's target class instead and every result is stamped
 * with `"className": <target>`. This is how the JS SDK's `relation.query()` works: it queries the owner
 * class with `$relatedTo` plus this parameter. A field that is not a Relation leaves the class as is.
 */
export async function findRedirected<R extends RedirectableRequest>(
  deps: CoreDeps,
  options: { readonly request: R; readonly run: (request: R) => Promise<FindResult> },
): Promise<FindResult> {
  const { request, run } = options;
  const { redirectClassNameForKey: key, ...rest } = request;
  const schema = await loadSchemaForRead({ deps, auth: request.auth, className: request.className });
  const field = key === undefined ? undefined : schema?.fields[key];
  const className = field?.type === 'Relation' ? field.targetClass : request.className;
  const result = await run({ ...rest, className } as R);
  for (const object of result.results) object.fields['className'] = className;
  return result;
}

export interface RedirectableRequest {
  readonly auth: Auth;
  readonly className: string;
  readonly redirectClassNameForKey?: string;
}
