import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClassSchema } from '../schema/index.js';
import { Pointer } from '../schema/index.js';
import { parsePipeline } from './pipeline.js';

const SCHEMA: ClassSchema = {
  className: 'Game',
  fields: {
    objectId: { type: 'String' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
    ACL: { type: 'ACL' },
    score: { type: 'Number' },
    owner: { type: 'Pointer', targetClass: '_User' },
    when: { type: 'Date' },
  },
};

const parse = (pipeline: unknown) => parsePipeline({ pipeline, schema: SCHEMA, maxDepth: 16 });

function rejects(pipeline: unknown, message: string): void {
  assert.throws(() => parse(pipeline), { code: 102, message });
}

describe('parsePipeline', () => {
  it('refuses to address internal columns or the whole stored document, in every stage (105)', () => {
    const internal = (pipeline: unknown, key: string) =>
      assert.throws(() => parse(pipeline), { code: 105, message: `Invalid key name: ${key}` });
    internal([{ $group: { _id: '$_hashed_password' } }], '$_hashed_password');
    internal([{ $group: { _id: null, h: { $max: '$_session_token' } } }], '$_session_token');
    internal([{ $project: { h: '$_hashed_password' } }], '$_hashed_password');
    internal([{ $project: { h: { $concat: ['x', '$_email_verify_token'] } } }], '$_email_verify_token');
    internal([{ $project: { _rperm: 1 } }], '_rperm');
    internal([{ $group: { _id: '$$ROOT' } }], '$$ROOT');
    internal([{ $project: { d: { $ifNull: ['$$CURRENT._auth_data_x', 1] } } }], '$$CURRENT._auth_data_x');
    internal([{ $sort: { _hashed_password: 1 } }], '_hashed_password');
    internal([{ $unwind: '$_perishable_token' }], '_perishable_token');
    internal([{ $match: { score: 1 } }, { $match: { _hashed_password: { $exists: true } } }], '_hashed_password');
    internal([{ $addFields: { h: '$_hashed_password' } }], '$_hashed_password');
    internal([{ $replaceRoot: { newRoot: '$$ROOT' } }], '$$ROOT');
    internal([{ $lookup: { from: 'Other', localField: '_wperm', foreignField: '_id', as: 'o' } }], '_wperm');
    // What stays addressable: the id, the timestamps and a Pointer field's stored name.
    assert.doesNotThrow(() =>
      parse([{ $group: { _id: '$_p_owner', first: { $min: '$_created_at' } } }, { $sort: { _id: 1 } }]),
    );
  });

  it('refuses native stages that write or read a system class as stored (102)', () => {
    rejects([{ $out: 'Copy' }], 'The aggregate stage $out writes and is not allowed.');
    rejects([{ $merge: { into: 'Copy' } }], 'The aggregate stage $merge writes and is not allowed.');
    rejects(
      [{ $lookup: { from: '_User', localField: '_p_owner', foreignField: '_id', as: 'u' } }],
      'The aggregate stage $lookup may not read "_User".',
    );
    rejects([{ $unionWith: '_Session' }], 'The aggregate stage $unionWith may not read "_Session".');
    rejects([{ $unionWith: { coll: '_User' } }], 'The aggregate stage $unionWith may not read "_User".');
    assert.doesNotThrow(() =>
      parse([{ $lookup: { from: 'Other', localField: '_p_owner', foreignField: '_id', as: 'o' } }]),
    );
  });

  it('refuses malformed pipelines with 102 and parse-server’s messages', () => {
    rejects([{ group: { _id: null } }], "Invalid aggregate stage 'group'.");
    rejects({ match: {} }, "Invalid aggregate stage 'match'.");
    rejects([{ $group: { objectId: '$score' } }], "Cannot use 'objectId' in aggregation stage $group.");
    rejects([{ $group: { total: { $sum: 1 } } }], 'Invalid parameter for query: group. Missing key _id');
    rejects([{ $match: {}, $limit: 1 }], 'Pipeline stages should only have one key but found $match, $limit.');
    rejects([{}], 'Pipeline stages should only have one key but found none.');
    rejects('x', 'pipeline must be an array of stages or an object of stages.');
    rejects([{ $limit: 0 }], '$limit must be a positive integer.');
    rejects([{ $skip: -1 }], '$skip must be a non-negative integer.');
    rejects([{ $group: { _id: null, x: { $median: '$score' } } }], 'Unsupported $group accumulator $median.');
    rejects([{ $project: { a: 1, b: 0 } }], '$project cannot mix inclusion and exclusion (except for _id).');
    rejects([{ $sort: { a: 2 } }], '$sort direction for a must be 1 or -1.');
    rejects([{ $unwind: 'tags' }], '$unwind needs a field path starting with $.');
  });

  it('accepts an object of stages (legacy form) in key order', () => {
    assert.deepEqual(parse({ $limit: 2, $skip: 1 }), [
      { kind: 'limit', count: 2 },
      { kind: 'skip', count: 1 },
    ]);
  });

  it('maps group references to stored names and marks pointer groups', () => {
    assert.deepEqual(parse([{ $group: { _id: '$owner', last: { $max: '$createdAt' }, n: { $sum: 1 } } }]), [
      {
        kind: 'group',
        id: { kind: 'field', path: ['_p_owner'] },
        idIsPointer: true,
        accumulators: [
          { name: 'last', op: 'max', expression: { kind: 'field', path: ['_created_at'] } },
          { name: 'n', op: 'sum', expression: { kind: 'literal', value: 1 } },
        ],
      },
    ]);
  });

  it('maps $project keys and keeps operator expressions as native', () => {
    assert.deepEqual(parse([{ $project: { objectId: 1, owner: 1, y: { $year: '$createdAt' } } }]), [
      {
        kind: 'project',
        mode: 'include',
        excludeId: false,
        fields: [
          { name: '_id', value: 'include' },
          { name: '_p_owner', value: 'include' },
          { name: 'y', value: { kind: 'native', json: { $year: '$_created_at' } } },
        ],
      },
    ]);
  });

  it('a leading $match is a where on the class: bare pointer ids and ISO dates are rewritten', () => {
    const [stage] = parse([{ $match: { owner: 'u1', when: { $gt: '2024-01-01T00:00:00.000Z' } } }]);
    assert.deepEqual(stage, {
      kind: 'match',
      scope: 'object',
      condition: {
        kind: 'and',
        conditions: [
          { kind: 'eq', path: ['owner'], value: new Pointer('_User', 'u1') },
          { kind: 'compare', path: ['when'], op: 'gt', value: new Date('2024-01-01T00:00:00.000Z') },
        ],
      },
    });
  });

  it('a later $match addresses the documents by stored names', () => {
    const stages = parse([{ $limit: 5 }, { $match: { owner: 'u1', _id: { $in: ['a'] } } }]);
    assert.deepEqual(stages[1], {
      kind: 'match',
      scope: 'document',
      condition: {
        kind: 'and',
        conditions: [
          { kind: 'eq', path: ['_p_owner'], value: '_User$u1' },
          { kind: 'in', path: ['_id'], values: ['a'] },
        ],
      },
    });
  });

  it('parses $unwind forms, $count, $sample and passes other stages through', () => {
    assert.deepEqual(
      parse([{ $unwind: '$tags' }, { $count: 'n' }, { $sample: { size: 2 } }, { $lookup: { from: 'X' } }]),
      [
        { kind: 'unwind', path: ['tags'], preserveNullAndEmptyArrays: false },
        { kind: 'count', field: 'n' },
        { kind: 'sample', size: 2 },
        { kind: 'native', name: '$lookup', spec: { from: 'X' } },
      ],
    );
  });
});
