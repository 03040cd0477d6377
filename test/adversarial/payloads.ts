/**
 * fast-check generators of hostile input for every part of a Parse request: field and class names, values
 * (plain, Parse-typed, `__op` operations), `where` clauses with operator injection, regexes (catastrophic
 * ones included) and prototype-pollution shapes. Most draws come from small pools of names the seeded
 * server knows, so requests reach deep code instead of failing validation at the door; the rest is junk.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Classes the fuzzer may create, read, write and delete in. The seeded canaries live elsewhere. */
export const FUZZ_CLASSES = ['FzA', 'FzB', 'FzC'] as const;

/** Fields of FzA as seeded: one of each type, so values meet every codec path. */
export const KNOWN_FIELDS = ['str', 'num', 'bool', 'when', 'ptr', 'rel', 'arr', 'obj', 'geo', 'file', 'bytes'] as const;

/** Names that mean something to Parse, a storage engine or JavaScript. */
export const DANGEROUS_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '_hashed_password',
  '_session_token',
  '_rperm',
  '_wperm',
  '_id',
  '_p_ptr',
  '_auth_data_facebook',
  '_created_at',
  'rowid',
  'oid',
  '_rowid_',
  'objectId',
  'createdAt',
  'updatedAt',
  'ACL',
  'sessionToken',
  'authData',
  'emailVerified',
  'password',
  'username',
  'length',
  'className',
  '$where',
  '$gt',
  'a.b',
  'a..b',
  '.a',
  'a$b',
  '',
  ' ',
  'x'.repeat(300),
  'ünï',
  '\u0000',
] as const;

/** Patterns that stall a backtracking engine, and constructs RE2 refuses. */
export const HOSTILE_REGEXES = [
  '(a+)+$',
  '(a|aa)+$',
  '^(([a-z])+.)+[A-Z]([a-z])+$',
  '(x+x+)+y',
  '(.*a){25}',
  '(\\w|\\d|\\s){999}z',
  '(a{1000}){1000}',
  '(a)\\1',
  'a(?=b)',
  '(?<!a)b',
  '(?>a+)',
  'a++',
  '[',
  '(',
  '\\',
  '\\Q',
  '\\E',
  '\\Qa.b',
  '(?i)abc',
  '(?x) a b',
  '\\p{Greek}+',
  '\\u0041',
  '\\x{41}',
  '\u0000',
  'a{2,1}',
  '[z-a]',
  '^$',
] as const;

const fieldName: Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...KNOWN_FIELDS) },
  { weight: 3, arbitrary: fc.constantFrom(...DANGEROUS_NAMES) },
  // Few fresh names, so classes do not grow without bound (each is a new column).
  { weight: 1, arbitrary: fc.constantFrom('extra1', 'extra2', 'extra3', 'Extra_4', 'a1') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

export const className: Arbitrary<string> = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...FUZZ_CLASSES) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '_User',
      '_Session',
      '_Role',
      '_Installation',
      '_Join:rel:FzA',
      '_PushStatus',
      '_Hooks',
      '_GlobalConfig',
      '_SCHEMA',
      'sqlite_master',
      'system.indexes',
      'Vault',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

const number: Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -0, 1e20, -1e20, 1e308, 5e-324, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, -1, 0.5),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const weirdString: Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      '\u0000',
      'a\u0000b',
      '\ud800',
      '💥',
      'x'.repeat(5000),
      "'; DROP TABLE FzA; --",
      '" OR 1=1 --',
      '{"$gt":""}',
      '../../etc/passwd',
      '%00',
      '$where',
      'r:00000000000000000000000000000000',
    ),
  },
);

export const scalar: Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: weirdString },
  { weight: 3, arbitrary: number },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

const objectId: Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9]{10}$/),
  fc.constantFrom('', 'x', '../x', 'a'.repeat(200)),
);

/** Parse's typed JSON values, well-formed and broken. */
export const typedValue: Arbitrary<Json> = fc.oneof(
  fc.record({
    __type: fc.constant('Date'),
    iso: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      weirdString,
    ),
  }),
  fc.record({ __type: fc.constant('Pointer'), className, objectId: fc.oneof(objectId, scalar) }),
  fc.record({
    __type: fc.constant('GeoPoint'),
    latitude: fc.oneof(fc.double({ min: -90, max: 90, noNaN: true }), number),
    longitude: fc.oneof(fc.double({ min: -180, max: 180, noNaN: true }), number),
  }),
  fc.record({ __type: fc.constant('File'), name: weirdString }, { requiredKeys: [] }),
  fc.record({ __type: fc.constant('Bytes'), base64: fc.oneof(fc.base64String({ maxLength: 40 }), weirdString) }),
  fc.record({ __type: fc.constant('Relation'), className }),
  fc.record({
    __type: fc.constant('Polygon'),
    coordinates: fc.array(fc.tuple(number, number), { maxLength: 5 }),
  }),
  fc.record({ __type: fc.oneof(weirdString, fc.constant('Object')), className, objectId }),
);

/** Objects shaped to pollute prototypes (JSON.parse makes `__proto__` an own key). */
export const pollution: Arbitrary<Json> = fc.constantFrom<Json>(
  JSON.parse('{"__proto__":{"polluted":"yes"}}') as Json,
  { constructor: { prototype: { polluted: 'yes' } } },
  JSON.parse('{"a":{"__proto__":{"polluted":"yes"}}}') as Json,
  { toString: 'x', valueOf: 1, hasOwnProperty: 'x' },
  JSON.parse('{"__proto__":null}') as Json,
);

/** Any JSON, with typed values and pollution mixed in at every depth. */
export const value: Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalar },
    { weight: 2, arbitrary: typedValue },
    { weight: 1, arbitrary: pollution },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fieldName, tie('value'), { maxKeys: 4 }) },
  ),
})).value;

/** `__op` operations, well-formed and not. */
const operation: Arbitrary<Json> = fc.oneof(
  fc.record({ __op: fc.constant('Increment'), amount: fc.oneof(number, scalar) }),
  fc.record({
    __op: fc.constantFrom('Add', 'AddUnique', 'Remove'),
    objects: fc.oneof(fc.array(value, { maxLength: 3 }), scalar),
  }),
  fc.record({
    __op: fc.constantFrom('AddRelation', 'RemoveRelation'),
    objects: fc.array(typedValue, { maxLength: 3 }),
  }),
  fc.record({ __op: fc.constant('Delete') }),
  fc.record({ __op: fc.constant('Batch'), ops: fc.array(value, { maxLength: 2 }) }),
  fc.record({ __op: weirdString }),
);

/** A write body: fields set to values or operations, sometimes an ACL or an objectId. */
export const writeBody: Arbitrary<Json> = fc
  .tuple(
    fc.dictionary(fieldName, fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: operation }), {
      maxKeys: 5,
    }),
    fc.option(
      fc.oneof(
        fc.constant<Json>({ '*': { read: true, write: true } }),
        fc.constant<Json>({}),
        fc.dictionary(weirdString, fc.dictionary(fc.constantFrom('read', 'write', 'x'), scalar, { maxKeys: 2 }), {
          maxKeys: 2,
        }),
        scalar,
      ),
      { freq: 5 },
    ),
    fc.option(fc.oneof(objectId, scalar, pollution), { freq: 10 }),
  )
  .map(([fields, acl, id]) => {
    const body: Record<string, Json> = { ...fields };
    if (acl !== null) body['ACL'] = acl;
    if (id !== null) body['objectId'] = id;
    return body;
  });

export const regex: Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_REGEXES) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-c()[\]{}*+?|\\^$.1-9PkQEdws:=!<>,-]{0,16}$/) },
  { weight: 1, arbitrary: weirdString },
);

/** A constraint object for one field: operators with well-formed and broken operands. */
const constraint = (where: Arbitrary<Json>): Arbitrary<Json> =>
  fc.oneof(
    fc.record({ $gt: value }, { requiredKeys: [] }),
    fc.record({ $lt: value, $gte: value, $lte: value, $ne: value, $eq: value }, { requiredKeys: [] }),
    fc.record({ $in: fc.oneof(fc.array(value, { maxLength: 6 }), value) }),
    fc.record({ $nin: fc.oneof(fc.array(value, { maxLength: 6 }), value) }),
    fc.record({
      $all: fc.oneof(fc.array(value, { maxLength: 4 }), fc.array(fc.record({ $regex: regex }), { maxLength: 3 })),
    }),
    fc.record({ $containedBy: fc.oneof(fc.array(value, { maxLength: 4 }), value) }),
    fc.record({ $exists: fc.oneof(fc.boolean(), scalar) }),
    fc.record(
      {
        $regex: fc.oneof(regex, scalar),
        $options: fc.oneof(fc.constantFrom('i', 'm', 's', 'x', 'imsx', 'u', 'g', 'ix y'), scalar),
      },
      { requiredKeys: ['$regex'] },
    ),
    fc.record({
      $select: fc.record(
        { query: fc.record({ className, where }, { requiredKeys: [] }), key: fc.oneof(fieldName, scalar) },
        { requiredKeys: [] },
      ),
    }),
    fc.record({ $dontSelect: fc.record({ query: fc.record({ className, where }), key: fieldName }) }),
    fc.record({ $inQuery: fc.oneof(fc.record({ className, where }, { requiredKeys: [] }), scalar) }),
    fc.record({ $notInQuery: fc.record({ className, where }) }),
    fc.record({
      $text: fc.record({
        $search: fc.record(
          { $term: fc.oneof(weirdString, scalar), $language: weirdString, $caseSensitive: scalar },
          { requiredKeys: [] },
        ),
      }),
    }),
    fc.record(
      { $nearSphere: fc.oneof(typedValue, scalar), $maxDistanceInKilometers: fc.oneof(number, scalar) },
      { requiredKeys: ['$nearSphere'] },
    ),
    fc.record({ $within: fc.record({ $box: fc.array(typedValue, { maxLength: 3 }) }) }),
    fc.record({
      $geoWithin: fc.oneof(
        fc.record({ $polygon: fc.array(typedValue, { maxLength: 4 }) }),
        fc.record({ $centerSphere: fc.array(value, { maxLength: 2 }) }),
      ),
    }),
    fc.record({ $geoIntersects: fc.record({ $point: typedValue }) }),
    fc.record({
      $lt: fc.record({
        $relativeTime: fc.oneof(
          fc.constantFrom('in 2 days', '3 hours ago', 'now', 'in 1e400 years', '99999999999999 years ago'),
          weirdString,
        ),
      }),
    }),
    // Operators that are MongoDB's but not Parse's: they must be refused, never passed through.
    fc.record(
      {
        $where: fc.constantFrom('sleep(5000)', 'this.a == 1', 'function(){return true}'),
        $expr: fc.constant<Json>({ $eq: ['$a', '$b'] }),
        $function: fc.constant<Json>({ body: 'function(){return true}', args: [], lang: 'js' }),
        $jsonSchema: fc.constant<Json>({}),
        $mod: fc.constant<Json>([2, 0]),
        $size: fc.constant<Json>(1),
        $elemMatch: fc.constant<Json>({ $gt: 1 }),
        $type: fc.constant<Json>('string'),
        $comment: fc.constant<Json>('x'),
        $foo: value,
      },
      { requiredKeys: [] },
    ),
  );

/** A `where` clause: field constraints, plain values, `$or`/`$and`/`$nor`/`$relatedTo`, junk keys. */
export const where: Arbitrary<Json> = fc.letrec<{ where: Json }>((tie) => ({
  where: fc
    .tuple(
      fc.dictionary(
        fieldName,
        fc.oneof({ weight: 2, arbitrary: value }, { weight: 3, arbitrary: constraint(tie('where')) }),
        { maxKeys: 3 },
      ),
      fc.option(
        fc.oneof(
          { depthSize: 'small' },
          fc.record({ $or: fc.oneof(fc.array(tie('where'), { maxLength: 3 }), scalar) }),
          fc.record({ $and: fc.array(tie('where'), { maxLength: 3 }) }),
          fc.record({ $nor: fc.array(tie('where'), { maxLength: 3 }) }),
          fc.record({
            $relatedTo: fc.record(
              { object: fc.oneof(typedValue, scalar), key: fc.oneof(fieldName, scalar) },
              { requiredKeys: [] },
            ),
          }),
          fc.record({ $where: fc.constant<Json>('sleep(5000)') }),
        ),
        { freq: 3 },
      ),
    )
    .map(([fields, logical]) => (logical === null ? fields : { ...fields, ...(logical as Record<string, Json>) })),
})).where;

/** Query-string / find options beside `where`. */
export const findOptions: Arbitrary<Record<string, Json>> = fc.record(
  {
    order: fc.oneof(
      fc.constantFrom('-num', 'str,-createdAt', '$score', 'ptr.str', '-_rperm', 'a,'.repeat(50)),
      weirdString,
    ),
    limit: fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.constantFrom(1e20, -1e20, 0.5), weirdString),
    skip: fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.constantFrom(1e20, 2 ** 63), weirdString),
    keys: fc.oneof(fc.constantFrom('str,num', 'ptr.str', '$score', 'a'.repeat(500)), weirdString),
    excludeKeys: fc.oneof(fc.constantFrom('str', 'objectId'), weirdString),
    include: fc.oneof(fc.constantFrom('ptr', '*', 'ptr.ptr.ptr.ptr', 'rel', 'a.b.c.d.e.f.g.h'), weirdString),
    count: fc.oneof(fc.constantFrom(1, true, 0, 'yes'), scalar),
    redirectClassNameForKey: fc.oneof(fc.constant('rel'), weirdString),
    readPreference: fc.oneof(fc.constantFrom('PRIMARY', 'nearest'), weirdString),
    hint: fc.oneof(fc.constant('_id_'), value),
    explain: fc.oneof(fc.constant(true), scalar),
    comment: weirdString,
    junk: value,
  },
  { requiredKeys: [] },
);
