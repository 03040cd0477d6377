import { decode, decodeRecord, encode } from './codec.js';
import { ErrorCodes, StrataError, usageError } from './errors.js';
import { subscribeQuery } from './live.js';
import type { LiveSubscription, SubscribeOptions } from './live.js';
import { call } from './transport.js';
import type { CallOptions, TransportContext } from './transport.js';
import type { GeoPoint, Pointer, Polygon, Stored, SystemFields } from './types.js';

/**
 * A query on one class, built step by step: every method returns a new Query (the original is unchanged,
 * so a base query can be shared), and field names and values are checked against the class's type.
 * Covers every constraint Parse's REST API knows (queries.md); `where(...)` also takes a raw `where` object.
 *
 * @example
 * const open = todos.query().equalTo('done', false).greaterThan('due', new Date()).include('owner');
 * const page = await open.order('-due').limit(20).find();
 * for await (const todo of open) console.log(todo.title); // every match, in objectId batches
 */

type Json = Record<string, unknown>;

/** A top-level field of `T`, including the system fields. */
export type FieldName<T> = (keyof T & string) | keyof SystemFields;
/** A field, or a dot path into an Object or included Pointer field (`meta.color`, `owner.name`). */
export type FieldPath<T> = FieldName<T> | `${keyof T & string}.${string}`;
/** A field name for `order`: ascending, or `-name` for descending. */
export type OrderKey<T> = FieldPath<T> | `-${FieldPath<T>}` | '$score';
/** The type of field `K` of `T` (unknown for dot paths). */
export type ValueAt<T, K> = K extends keyof Stored<T> ? Stored<T>[K] : unknown;
/** What a field can be compared with: a value of its type, or one element of an array field. */
export type QueryValue<V> = NonNullable<V> extends ReadonlyArray<infer E> ? NonNullable<V> | E : NonNullable<V>;

/** A time relative to now for date comparisons, e.g. `relativeTime('2 days ago')` or `relativeTime('in 1 hour')`. */
export interface RelativeTime {
  readonly $relativeTime: string;
}

/**
 * A date relative to the server's clock: `"in 2 days"`, `"3 hours ago"`, `"now"` (units yr, wk, d, hr, min, sec
 * and their long forms). Only in `lessThan`/`greaterThan` and their `OrEqualTo` forms, on Date fields.
 * @example todos.query().greaterThan('due', relativeTime('in 1 day'))
 */
export function relativeTime(text: string): RelativeTime {
  return { $relativeTime: text };
}

/** Constraint operators on one field (queries.md §3). */
export interface Constraint<V> {
  $eq?: QueryValue<V> | null;
  $ne?: QueryValue<V> | null;
  $lt?: QueryValue<V> | { $relativeTime: string };
  $lte?: QueryValue<V> | { $relativeTime: string };
  $gt?: QueryValue<V> | { $relativeTime: string };
  $gte?: QueryValue<V> | { $relativeTime: string };
  $in?: ReadonlyArray<QueryValue<V>>;
  $nin?: ReadonlyArray<QueryValue<V>>;
  $all?: readonly unknown[];
  $containedBy?: readonly unknown[];
  $exists?: boolean;
  $regex?: string;
  $options?: string;
  $text?: { $search: { $term: string; $language?: string; $caseSensitive?: boolean; $diacriticSensitive?: boolean } };
  $select?: { query: { className: string; where: Json }; key: string };
  $dontSelect?: { query: { className: string; where: Json }; key: string };
  $inQuery?: { className: string; where: Json };
  $notInQuery?: { className: string; where: Json };
  $nearSphere?: GeoPoint;
  $maxDistance?: number;
  $maxDistanceInRadians?: number;
  $maxDistanceInKilometers?: number;
  $maxDistanceInMiles?: number;
  $within?: { $box: readonly [GeoPoint, GeoPoint] };
  $geoWithin?: { $polygon: readonly GeoPoint[] | Polygon } | { $centerSphere: readonly [GeoPoint, number] };
  $geoIntersects?: { $point: GeoPoint };
}

/** A raw `where` object for class `T`, checked field by field. */
export type WhereClause<T> = {
  [K in FieldName<T>]?: QueryValue<ValueAt<T, K>> | null | Constraint<ValueAt<T, K>>;
} & { [P in `${keyof T & string}.${string}`]?: unknown } & {
  $or?: ReadonlyArray<WhereClause<T>>;
  $and?: ReadonlyArray<WhereClause<T>>;
  $nor?: ReadonlyArray<WhereClause<T>>;
  $relatedTo?: { object: Pointer; key: string };
};

/** The record type after `select(...keys)`: those fields plus the system fields. */
export type Selected<T, K extends string> = Pick<T, K & keyof T> & SystemFields;

/** A query given to `or`/`and`/`nor`: another query, or a function building one from an empty query. */
export type Branch<T> = Query<T, unknown> | ((query: Query<T>) => Query<T, unknown>);

interface QueryState {
  readonly where: Json;
  readonly include: readonly string[];
  readonly keys: readonly string[];
  readonly exclude: readonly string[];
  readonly order: readonly string[];
  readonly limit?: number;
  readonly skip?: number;
}

/** Where a query runs. */
export interface QueryContext {
  readonly transport: TransportContext;
  readonly className: string;
}

/** `/classes/<className>[/<objectId>]`; an empty or non-string objectId is refused before anything is sent. */
export function classPath(className: string, objectId?: string): string {
  const base = `/classes/${encodeURIComponent(className)}`;
  if (objectId === undefined) return base;
  if (typeof objectId !== 'string' || objectId === '') {
    throw new StrataError({
      code: ErrorCodes.MISSING_OBJECT_ID,
      message: 'objectId must be a non-empty string',
      status: 0,
    });
  }
  return `${base}/${encodeURIComponent(objectId)}`;
}

const EMPTY: QueryState = { where: {}, include: [], keys: [], exclude: [], order: [] };

function isConstraint(value: unknown): value is Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => key.startsWith('$'));
}

/** Quotes a literal for Parse's regexes (`\Q…\E`), as every Parse SDK does. */
function quote(text: string): string {
  return `\\Q${text.split('\\E').join('\\E\\\\E\\Q')}\\E`;
}

export class Query<T, R = Stored<T>> implements AsyncIterable<R> {
  constructor(
    private readonly context: QueryContext,
    private readonly state: QueryState = EMPTY,
  ) {}

  /** The class this query searches. */
  get className(): string {
    return this.context.className;
  }

  private with<R2 = R>(changes: Partial<QueryState>): Query<T, R2> {
    return new Query<T, R2>(this.context, { ...this.state, ...changes });
  }

  private set(key: string, value: unknown): Query<T, R> {
    return this.with({ where: { ...this.state.where, [key]: value } });
  }

  /** Adds `operator: value` to the key's constraints (an earlier plain equality becomes `$eq`). */
  private constrain(key: string, operator: string, value: unknown): Query<T, R> {
    const current = this.state.where[key];
    const base = isConstraint(current) ? current : current === undefined ? {} : { $eq: current };
    return this.set(key, { ...base, [operator]: value });
  }

  /** Merges a raw `where` object into the constraints. */
  where(clause: WhereClause<T>): Query<T, R> {
    return this.with({ where: { ...this.state.where, ...(clause as Json) } });
  }

  /** Field equals value; on an array field, the array contains it. */
  equalTo<K extends FieldPath<T>>(key: K, value: QueryValue<ValueAt<T, K>> | null): Query<T, R> {
    return isConstraint(this.state.where[key]) ? this.constrain(key, '$eq', value) : this.set(key, value);
  }
  notEqualTo<K extends FieldPath<T>>(key: K, value: QueryValue<ValueAt<T, K>> | null): Query<T, R> {
    return this.constrain(key, '$ne', value);
  }
  lessThan<K extends FieldPath<T>>(key: K, value: QueryValue<ValueAt<T, K>> | RelativeTime): Query<T, R> {
    return this.constrain(key, '$lt', value);
  }
  lessThanOrEqualTo<K extends FieldPath<T>>(key: K, value: QueryValue<ValueAt<T, K>> | RelativeTime): Query<T, R> {
    return this.constrain(key, '$lte', value);
  }
  greaterThan<K extends FieldPath<T>>(key: K, value: QueryValue<ValueAt<T, K>> | RelativeTime): Query<T, R> {
    return this.constrain(key, '$gt', value);
  }
  greaterThanOrEqualTo<K extends FieldPath<T>>(key: K, value: QueryValue<ValueAt<T, K>> | RelativeTime): Query<T, R> {
    return this.constrain(key, '$gte', value);
  }
  /** Field equals one of the values (array field: has any of them). */
  containedIn<K extends FieldPath<T>>(key: K, values: ReadonlyArray<QueryValue<ValueAt<T, K>>>): Query<T, R> {
    return this.constrain(key, '$in', values);
  }
  notContainedIn<K extends FieldPath<T>>(key: K, values: ReadonlyArray<QueryValue<ValueAt<T, K>>>): Query<T, R> {
    return this.constrain(key, '$nin', values);
  }
  /** Array field contains all of the values. */
  containsAll<K extends FieldPath<T>>(key: K, values: ReadonlyArray<QueryValue<ValueAt<T, K>>>): Query<T, R> {
    return this.constrain(key, '$all', values);
  }
  /** Array field has, for each prefix, a string starting with it. */
  containsAllStartingWith(key: FieldPath<T>, prefixes: readonly string[]): Query<T, R> {
    return this.constrain(
      key,
      '$all',
      prefixes.map((prefix) => ({ $regex: `^${quote(prefix)}` })),
    );
  }
  /** Every element of the array field is one of the values. */
  containedBy<K extends FieldPath<T>>(key: K, values: ReadonlyArray<QueryValue<ValueAt<T, K>>>): Query<T, R> {
    return this.constrain(key, '$containedBy', values);
  }
  exists(key: FieldPath<T>): Query<T, R> {
    return this.constrain(key, '$exists', true);
  }
  doesNotExist(key: FieldPath<T>): Query<T, R> {
    return this.constrain(key, '$exists', false);
  }
  /** String field matches a regular expression (flags i, m, s, u, x are kept). */
  matches(key: FieldPath<T>, regex: RegExp | string, flags?: string): Query<T, R> {
    const source = typeof regex === 'string' ? regex : regex.source;
    const options = (flags ?? (typeof regex === 'string' ? '' : regex.flags)).replace(/[^imsux]/g, '');
    const q = this.constrain(key, '$regex', source);
    return options === '' ? q : q.constrain(key, '$options', options);
  }
  startsWith(key: FieldPath<T>, prefix: string): Query<T, R> {
    return this.constrain(key, '$regex', `^${quote(prefix)}`);
  }
  endsWith(key: FieldPath<T>, suffix: string): Query<T, R> {
    return this.constrain(key, '$regex', `${quote(suffix)}$`);
  }
  /** String field contains the text (literally, case-sensitive). */
  contains(key: FieldPath<T>, text: string): Query<T, R> {
    return this.constrain(key, '$regex', quote(text));
  }
  /** Full-text search (needs a text index; order by relevance with `sortByTextScore()`). */
  fullText(
    key: FieldPath<T>,
    term: string,
    options: { language?: string; caseSensitive?: boolean; diacriticSensitive?: boolean } = {},
  ): Query<T, R> {
    const search: Json = { $term: term };
    if (options.language !== undefined) search['$language'] = options.language;
    if (options.caseSensitive !== undefined) search['$caseSensitive'] = options.caseSensitive;
    if (options.diacriticSensitive !== undefined) search['$diacriticSensitive'] = options.diacriticSensitive;
    return this.constrain(key, '$text', { $search: search });
  }
  /**
   * Orders by full-text relevance, best first. With `select(...)` the matches also carry their `score`
   * (without it every field comes back, and no score: Parse's `keys=$score` would select the score alone).
   */
  sortByTextScore(): Query<T, R & { score?: number }> {
    const keys = this.state.keys.length > 0 ? [...this.state.keys, '$score'] : [];
    return this.with({ order: ['$score'], keys });
  }
  /** GeoPoint field, nearest first. */
  near(key: FieldPath<T>, point: GeoPoint): Query<T, R> {
    return this.constrain(key, '$nearSphere', point);
  }
  /** GeoPoint field within `km` kilometres of `point`, nearest first. */
  withinKm(key: FieldPath<T>, point: GeoPoint, km: number): Query<T, R> {
    return this.near(key, point).constrain(key, '$maxDistanceInKilometers', km);
  }
  withinMiles(key: FieldPath<T>, point: GeoPoint, miles: number): Query<T, R> {
    return this.near(key, point).constrain(key, '$maxDistanceInMiles', miles);
  }
  withinRadians(key: FieldPath<T>, point: GeoPoint, radians: number): Query<T, R> {
    return this.near(key, point).constrain(key, '$maxDistanceInRadians', radians);
  }
  /** GeoPoint field inside the box with these south-west and north-east corners. */
  withinBox(key: FieldPath<T>, southwest: GeoPoint, northeast: GeoPoint): Query<T, R> {
    return this.constrain(key, '$within', { $box: [southwest, northeast] });
  }
  /** GeoPoint field inside the polygon (≥ 3 points, or a Polygon value). */
  withinPolygon(key: FieldPath<T>, points: readonly GeoPoint[] | Polygon): Query<T, R> {
    return this.constrain(key, '$geoWithin', { $polygon: points });
  }
  /** Polygon field contains the point. */
  polygonContains(key: FieldPath<T>, point: GeoPoint): Query<T, R> {
    return this.constrain(key, '$geoIntersects', { $point: point });
  }
  /** Pointer field points to an object matched by `query`. */
  inQuery(key: FieldPath<T>, query: Query<unknown, unknown>): Query<T, R> {
    return this.constrain(key, '$inQuery', query.subquery());
  }
  notInQuery(key: FieldPath<T>, query: Query<unknown, unknown>): Query<T, R> {
    return this.constrain(key, '$notInQuery', query.subquery());
  }
  /** Field's value is among the values of `queryKey` in the objects `query` matches (`$select`). */
  matchesKeyInQuery(key: FieldPath<T>, queryKey: string, query: Query<unknown, unknown>): Query<T, R> {
    return this.constrain(key, '$select', { query: query.subquery(), key: queryKey });
  }
  /** Field's value is not among the values of `queryKey` in the objects `query` matches (`$dontSelect`). */
  doesNotMatchKeyInQuery(key: FieldPath<T>, queryKey: string, query: Query<unknown, unknown>): Query<T, R> {
    return this.constrain(key, '$dontSelect', { query: query.subquery(), key: queryKey });
  }
  /** Objects in the relation field `key` of `owner` (this query must be on the relation's target class). */
  relatedTo(owner: Pointer, key: string): Query<T, R> {
    const object = { __type: 'Pointer', className: owner.className, objectId: owner.objectId };
    return this.set('$relatedTo', { object, key });
  }
  /** Matches objects matching any branch (and the constraints already on this query). */
  or(...branches: Array<Branch<T>>): Query<T, R> {
    return this.combine('$or', branches);
  }
  /** Matches objects matching every branch. */
  and(...branches: Array<Branch<T>>): Query<T, R> {
    return this.combine('$and', branches);
  }
  /** Matches objects matching no branch. */
  nor(...branches: Array<Branch<T>>): Query<T, R> {
    return this.combine('$nor', branches);
  }
  private combine(operator: string, branches: ReadonlyArray<Branch<T>>): Query<T, R> {
    const wheres = branches.map((b) => (typeof b === 'function' ? b(new Query<T>(this.context)) : b).state.where);
    const existing = this.state.where[operator];
    if (existing === undefined) return this.set(operator, wheres);
    // A second or/nor on the same query is ANDed with the first one.
    const and = (this.state.where['$and'] as Json[] | undefined) ?? [];
    return this.set('$and', [...and, { [operator]: wheres }]);
  }

  /** Replaces these pointer fields with the objects they point to (`include('*')`: every pointer). */
  include(...keys: Array<FieldPath<T> | '*'>): Query<T, R> {
    return this.with({ include: [...this.state.include, ...keys] });
  }
  /** Returns only these fields (plus objectId, createdAt, updatedAt, ACL). */
  select<K extends FieldName<T>>(...keys: K[]): Query<T, Selected<T, K>> {
    return this.with<Selected<T, K>>({ keys: [...this.state.keys, ...keys] });
  }
  /** Leaves these fields out of the results. */
  exclude(...keys: Array<FieldPath<T>>): Query<T, R> {
    return this.with({ exclude: [...this.state.exclude, ...keys] });
  }
  /** Sort order: `order('-score', 'name')` sorts by score descending, then name. */
  order(...keys: Array<OrderKey<T>>): Query<T, R> {
    return this.with({ order: [...this.state.order, ...keys] });
  }
  /** At most `n` results (the server's default is 100). */
  limit(n: number): Query<T, R> {
    return this.with({ limit: n });
  }
  skip(n: number): Query<T, R> {
    return this.with({ skip: n });
  }

  /** `{ className, where }`, as sub-queries send it. */
  private subquery(): { className: string; where: Json } {
    return { className: this.context.className, where: encode(this.state.where) as Json };
  }

  /** The REST parameters of this query (`where`, `include`, `keys`, `order`, ...). */
  toJSON(): Json {
    const s = this.state;
    const params: Json = {};
    if (Object.keys(s.where).length > 0) params['where'] = encode(s.where);
    if (s.include.length > 0) params['include'] = s.include.join(',');
    if (s.keys.length > 0) params['keys'] = s.keys.join(',');
    if (s.exclude.length > 0) params['excludeKeys'] = s.exclude.join(',');
    if (s.order.length > 0) params['order'] = s.order.join(',');
    if (s.limit !== undefined) params['limit'] = s.limit;
    if (s.skip !== undefined) params['skip'] = s.skip;
    return params;
  }

  private async run(params: Json, options: CallOptions): Promise<{ results: R[]; count?: number }> {
    const body = (await call(this.context.transport, {
      ...options,
      method: 'GET',
      path: classPath(this.context.className),
      query: params,
    })) as { results: unknown[]; count?: number };
    return { ...body, results: body.results.map((r) => decodeRecord<R>(r)) };
  }

  /**
   * Live events of this query (LiveQuery): `create`, `enter`, `update`, `leave`, `delete`, typed like `find`'s
   * results, resumed without loss after a dropped socket. Only `where` and the selected `keys` apply.
   *
   * @example
   * const live = todos.query().equalTo('done', false).subscribe({ signal });
   * for await (const event of live) if (event.type === 'create') console.log(event.object.title);
   */
  subscribe(options: SubscribeOptions = {}): LiveSubscription<R> {
    return subscribeQuery<R>({
      transport: this.context.transport,
      className: this.context.className,
      params: this.toJSON(),
      subscribe: options,
    });
  }

  /** The matching objects. */
  async find(options: CallOptions = {}): Promise<R[]> {
    return (await this.run(this.toJSON(), options)).results;
  }

  /** The first match, or undefined. */
  async first(options: CallOptions = {}): Promise<R | undefined> {
    return (await this.run({ ...this.toJSON(), limit: 1 }, options)).results[0];
  }

  /** One object by id, with this query's include/select/exclude (rejects with 101 when missing). */
  async get(objectId: string, options: CallOptions = {}): Promise<R> {
    const { include, keys, excludeKeys } = this.toJSON();
    const body = await call(this.context.transport, {
      ...options,
      method: 'GET',
      path: classPath(this.context.className, objectId),
      query: { include, keys, excludeKeys },
    });
    return decodeRecord<R>(body);
  }

  /** How many objects match (ignores limit and skip). */
  async count(options: CallOptions = {}): Promise<number> {
    return (await this.run({ ...this.toJSON(), limit: 0, count: 1 }, options)).count ?? 0;
  }

  /** One page of results and the total number of matches, in one request. */
  async findAndCount(options: CallOptions = {}): Promise<{ results: R[]; count: number }> {
    const body = await this.run({ ...this.toJSON(), count: 1 }, options);
    return { results: body.results, count: body.count ?? 0 };
  }

  /**
   * Every match, fetched in batches ordered by objectId (a cursor, not `skip`, so it stays fast on large
   * classes and sees each object once). Not combinable with order, skip or limit.
   */
  async *each(options: CallOptions & { batchSize?: number } = {}): AsyncGenerator<R, void, undefined> {
    const { batchSize = 100, ...callOptions } = options;
    if (this.state.order.length > 0 || this.state.skip !== undefined || this.state.limit !== undefined) {
      throw usageError('each() walks the results by objectId: remove order, skip and limit from the query');
    }
    let after: string | undefined;
    for (;;) {
      let where: Json = this.state.where;
      if (after !== undefined) {
        const cursor = { objectId: { $gt: after } };
        where = where['objectId'] === undefined ? { ...where, ...cursor } : { $and: [where, cursor] };
      }
      const params = { ...this.with({ where }).toJSON(), order: 'objectId', limit: batchSize };
      const { results } = await this.run(params, callOptions);
      for (const record of results) yield record;
      if (results.length < batchSize) return;
      after = (results[results.length - 1] as { objectId: string }).objectId;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<R> {
    return this.each();
  }

  /** The distinct values of a field among the matches (needs the master key). */
  async distinct<K extends FieldPath<T>>(key: K, options: CallOptions = {}): Promise<Array<ValueAt<T, K>>> {
    const { where } = this.toJSON();
    const body = (await call(this.context.transport, {
      ...options,
      method: 'GET',
      path: `/aggregate/${encodeURIComponent(this.context.className)}`,
      query: { distinct: key, where },
    })) as { results: unknown[] };
    return decode(body.results) as Array<ValueAt<T, K>>;
  }

  /**
   * Runs an aggregation pipeline over the matches (needs the master key); this query's constraints become
   * a leading `$match` stage.
   */
  async aggregate<Out = Json>(pipeline: readonly Json[], options: CallOptions = {}): Promise<Out[]> {
    const { where } = this.toJSON();
    const stages = where === undefined ? pipeline : [{ $match: where }, ...pipeline];
    const body = (await call(this.context.transport, {
      ...options,
      method: 'GET',
      path: `/aggregate/${encodeURIComponent(this.context.className)}`,
      query: { pipeline: stages },
    })) as { results: unknown[] };
    return decode(body.results) as Out[];
  }
}
