import { ErrorCode, ParseError } from '../errors/index.js';
import type { OutputObject } from '../core/index.js';
import type { GraphQLResolveInfo } from 'graphql';
import type { GraphQLContext } from './context.js';
import { cursorToOffset, offsetToCursor } from './cursor.js';
import { selects } from './selection.js';

/** The Relay connection a find answers (spec/graphql.md §2, §4). */
export interface Connection {
  readonly edges: { cursor: string; node: OutputObject }[];
  readonly pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string; endCursor?: string };
  readonly count?: number;
}

export interface FindArgs {
  readonly where?: unknown;
  readonly order?: readonly string[] | null;
  readonly skip?: number | null;
  readonly after?: string | null;
  readonly first?: number | null;
  readonly before?: string | null;
  readonly last?: number | null;
}

const DEFAULT_PAGE = 100;

function cursor(value: string, name: string): number {
  const offset = cursorToOffset(value);
  if (offset === undefined) throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Invalid ${name} cursor.` });
  return offset;
}

function nonNegative(value: number | null | undefined, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || value < 0) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: `${name} must be a non-negative integer.` });
  }
  return value;
}

/**
 * Runs a find as a Relay connection: `skip` and `after` move the start, `first` is the page size (100 by
 * default, core clamps it to `maxLimit`), `before` / `last` count back from an end (a count query when
 * `last` has no `before`). `count` is asked of core only when the query selects it. One more object than
 * the page is fetched to tell `hasNextPage`.
 */
export async function findConnection(options: {
  context: GraphQLContext;
  className: string;
  where: Record<string, unknown>;
  args: FindArgs;
  info: GraphQLResolveInfo;
}): Promise<Connection> {
  const { context, className, where, args, info } = options;
  const skip = nonNegative(args.skip, 'skip') ?? 0;
  const first = nonNegative(args.first, 'first');
  const last = nonNegative(args.last, 'last');
  let start = skip + (args.after === undefined || args.after === null ? 0 : cursor(args.after, 'after') + 1);
  let end = args.before === undefined || args.before === null ? undefined : cursor(args.before, 'before');
  const wantsCount = selects(info, 'count');
  const order = args.order === undefined || args.order === null ? undefined : args.order.join(',');
  const base = {
    auth: context.auth,
    className,
    where,
    origin: context.origin,
    ...(order === undefined ? {} : { order }),
  };
  let count: number | undefined;
  if (last !== undefined && end === undefined) {
    count = (await context.core.find({ ...base, limit: 0, count: true })).count ?? 0;
    end = count;
  }
  if (last !== undefined && end !== undefined) start = Math.max(start, end - last);
  let limit = first ?? (end === undefined ? DEFAULT_PAGE : Math.min(DEFAULT_PAGE, end - start));
  if (end !== undefined) limit = Math.max(0, Math.min(limit, end - start));
  const result = await context.core.find({
    ...base,
    limit: limit === 0 ? 0 : limit + 1,
    ...(start === 0 ? {} : { skip: start }),
    ...(wantsCount && count === undefined ? { count: true } : {}),
  });
  const page = result.results.slice(0, limit);
  const edges = page.map((node, i) => ({ cursor: offsetToCursor(start + i), node }));
  const hasNextPage = result.results.length > limit;
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: start > 0,
      ...(edges.length === 0 ? {} : { startCursor: edges[0]?.cursor, endCursor: edges[edges.length - 1]?.cursor }),
    },
    ...(wantsCount ? { count: count ?? result.count ?? 0 } : {}),
  };
}
