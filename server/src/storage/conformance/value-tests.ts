import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MATCH_ALL } from '../../query/index.js';
import { Bytes, GeoPoint, ParseFile, Pointer, Polygon } from '../../schema/index.js';
import type { StoredObject } from '../adapter.js';
import { classSchema, skipUnsupported, stored, user, useStorage } from './harness.js';
import type { StorageConformanceOptions } from './harness.js';

const SCHEMA = classSchema('Values', {
  str: { type: 'String' },
  num: { type: 'Number' },
  bool: { type: 'Boolean' },
  date: { type: 'Date' },
  obj: { type: 'Object' },
  arr: { type: 'Array' },
  ptr: { type: 'Pointer', targetClass: '_User' },
  file: { type: 'File' },
  geo: { type: 'GeoPoint' },
  poly: { type: 'Polygon' },
  bytes: { type: 'Bytes' },
  nothing: { type: 'String' },
  rel: { type: 'Relation', targetClass: '_User' },
});

const FULL = stored(
  'full',
  {
    str: 'héllo "quoted" \\ \n ✓',
    num: 3.25,
    bool: true,
    date: new Date('2024-05-01T10:00:00.123Z'),
    obj: {
      a: 1,
      s: 'x',
      empty: {},
      list: [],
      nested: {
        when: new Date('2023-01-02T03:04:05.678Z'),
        who: user('u1'),
        where: new GeoPoint(10, 20),
        deeper: [new Date('2020-01-01T00:00:00.000Z'), user('u2'), { f: new ParseFile('n_f.txt') }, null, false],
      },
    },
    arr: [
      'x',
      2,
      -1.5,
      true,
      null,
      { k: 'v' },
      { list: [1, 2] },
      new Date('2021-06-07T08:09:10.011Z'),
      user('u3'),
      new GeoPoint(-5, 6.5),
    ],
    ptr: user('u1'),
    file: new ParseFile('abc_file.txt'),
    geo: new GeoPoint(40.5, -73.9),
    bytes: new Bytes('aGVsbG8='),
    nothing: null,
    _hashed_password: '$2b$10$abcdefghijklmnopqrstuv',
    _failed_login_count: 3,
    _password_history: ['h1', 'h2'],
    _email_verify_token_expires_at: new Date('2024-05-02T00:00:00.000Z'),
    _auth_data_facebook: { id: '123', token: 't' },
    undeclared: { plain: [1, 'two'] },
  },
  { ACL: { '*': { read: true }, u1: { read: true, write: true }, 'role:Admin': { write: true } } },
);

/** Insert/find round trips of every value type. */
export function valueTests(options: StorageConformanceOptions): void {
  describe('value round trips', () => {
    const storage = useStorage(options);
    const inserted: string[] = [];
    const roundTrip = async (object: StoredObject): Promise<StoredObject | undefined> => {
      await storage().insert({ schema: SCHEMA, object });
      inserted.push(object.objectId);
      const found = await storage().find({
        schema: SCHEMA,
        where: { kind: 'eq', path: ['objectId'], value: object.objectId },
      });
      assert.equal(found.length, 1);
      return found[0];
    };

    it('creates the class', async () => {
      await storage().createClass(SCHEMA);
    });

    it('every type, nested special values, null, internal and undeclared fields, ACL', async () => {
      assert.deepStrictEqual(await roundTrip(FULL), FULL);
    });

    for (const [name, num] of [
      ['int', 42],
      ['zero', 0],
      ['negative float', -17.5],
      ['float', 0.1],
      ['3000000000', 3000000000],
      ['2^53-1', Number.MAX_SAFE_INTEGER],
    ] as const) {
      it(`Number ${name}`, async () => {
        const object = stored(`num_${name.replace(/\W/g, '')}`, { num });
        assert.deepStrictEqual(await roundTrip(object), object);
      });
    }

    it('Boolean false and empty string', async () => {
      const object = stored('falsy', { bool: false, str: '' });
      assert.deepStrictEqual(await roundTrip(object), object);
    });

    it('Date keeps millisecond precision, including before 1970', async () => {
      const object = stored('dates', {
        date: new Date('1969-12-31T23:59:59.999Z'),
        obj: { d: new Date('2024-02-29T23:59:59.001Z') },
      });
      const found = await roundTrip(object);
      assert.equal((found?.fields['date'] as Date).toISOString(), '1969-12-31T23:59:59.999Z');
      assert.deepStrictEqual(found, object);
    });

    it('empty ACL {} stays {}', async () => {
      const object = stored('aclEmpty', { str: 'x' }, { ACL: {} });
      const found = await roundTrip(object);
      assert.deepStrictEqual(found?.ACL, {});
    });

    it('no ACL comes back without an ACL key; no fields gives {}', async () => {
      const object = stored('bare', {});
      const found = await roundTrip(object);
      assert.deepStrictEqual(found, object);
      assert.equal(found !== undefined && 'ACL' in found, false);
    });

    it('createdAt and updatedAt come back as given', async () => {
      const object: StoredObject = {
        objectId: 'times',
        createdAt: new Date('2022-01-01T00:00:00.001Z'),
        updatedAt: new Date('2022-01-02T00:00:00.002Z'),
        fields: {},
      };
      assert.deepStrictEqual(await roundTrip(object), object);
    });

    it('pointer arrays and pointers to other classes inside objects', async () => {
      const object = stored('ptrs', {
        arr: [new Pointer('Other', 'o1'), user('u9')],
        obj: { p: new Pointer('_Role', 'r1') },
      });
      assert.deepStrictEqual(await roundTrip(object), object);
    });

    it('Polygon (GeoJSON nested arrays in MongoDB)', async (t) => {
      if (skipUnsupported(options, 'nestedArrays', t)) return;
      const object = stored('polygon', {
        poly: new Polygon([
          [0, 0],
          [0, 1],
          [1, 1],
          [0, 0],
        ]),
      });
      assert.deepStrictEqual(await roundTrip(object), object);
    });

    it('nested arrays', async (t) => {
      if (skipUnsupported(options, 'nestedArrays', t)) return;
      const object = stored('nestedArrays', { arr: [1, [2, [3, 'x']], []], obj: { m: [[user('u1')], [new Date(0)]] } });
      assert.deepStrictEqual(await roundTrip(object), object);
    });

    it('find returns every object of the class', async () => {
      const all = await storage().find({ schema: SCHEMA, where: MATCH_ALL });
      assert.deepEqual(all.map((o) => o.objectId).sort(), [...inserted].sort());
    });
  });
}
