// The official Parse JS SDK saving and fetching every (file-free) value type, pointers, relations and
// ACLs, and the error codes of the basic object routes. Runs against every target of `compatTargets()`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compatTargets, expectParseError, rest, uniqueClassName, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

const CREATED_AT = new Date('2024-05-01T10:00:00.123Z');
const BYTES = { __type: 'Bytes', base64: 'VGhpcyBpcyBhIHN0cmluZw==' };
const NESTED = { level1: { level2: { n: 1, arr: [1, 'two', { three: 3 }], flag: false, nil: null } } };
const MIXED_ARRAY = [1, 'a', true, null, { k: 'v', inner: ['x', { y: [] }] }];
const NESTED_ARRAY = [
  [1, 2],
  [[3], []],
];
const UNICODE = 'héllo wörld ✓ 🎉 "quoted"\nnew line';

for (const spec of compatTargets()) {
  describe(`parse SDK objects [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;
    const Thing = uniqueClassName('Thing');
    const Parent = uniqueClassName('Parent');
    const Child = uniqueClassName('Child');

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
    });
    after(async () => {
      await target?.close();
    });

    it('creates an object with every plain type, answering 201 so existed() is false', async () => {
      const obj = new Parse.Object(Thing);
      obj.set({
        str: UNICODE,
        empty: '',
        int: 42,
        float: -3.25,
        big: 9007199254740991,
        yes: true,
        no: false,
        when: CREATED_AT,
        nested: NESTED,
        list: MIXED_ARRAY,
        tagged: [{ tags: ['a', 'b'] }],
      });
      await obj.save();
      assert.match(obj.id ?? '', /^[A-Za-z0-9]{10}$/);
      assert.equal(obj.existed(), false);
      assert.ok(obj.createdAt instanceof Date);
      assert.ok(obj.updatedAt instanceof Date);
      assert.equal(obj.updatedAt.getTime(), obj.createdAt.getTime());

      const fetched = await new Parse.Query(Thing).get(obj.id ?? '');
      assert.equal(fetched.get('str'), UNICODE);
      assert.equal(fetched.get('empty'), '');
      assert.equal(fetched.get('int'), 42);
      assert.equal(fetched.get('float'), -3.25);
      assert.equal(fetched.get('big'), 9007199254740991);
      assert.equal(fetched.get('yes'), true);
      assert.equal(fetched.get('no'), false);
      assert.ok(fetched.get('when') instanceof Date);
      assert.equal((fetched.get('when') as Date).toISOString(), CREATED_AT.toISOString());
      assert.deepEqual(fetched.get('nested'), NESTED);
      assert.deepEqual(fetched.get('list'), MIXED_ARRAY);
      assert.deepEqual(fetched.get('tagged'), [{ tags: ['a', 'b'] }]);
      assert.equal(fetched.createdAt?.toISOString(), obj.createdAt?.toISOString());
      assert.equal(fetched.updatedAt?.toISOString(), obj.updatedAt?.toISOString());
    });

    it('answers a REST create with 201, a Location header and only objectId + createdAt', async () => {
      const res = await rest(target, { method: 'POST', path: `/classes/${Thing}`, body: { str: 'x', int: 1 } });
      assert.equal(res.status, 201);
      const body = res.body as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['createdAt', 'objectId']);
      assert.match(String(body['createdAt']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(res.location, `${target.serverURL}/classes/${Thing}/${String(body['objectId'])}`);

      const got = await rest(target, { method: 'GET', path: `/classes/${Thing}/${String(body['objectId'])}` });
      assert.equal(got.status, 200);
      const json = got.body as Record<string, unknown>;
      assert.equal(json['createdAt'], body['createdAt']);
      assert.equal(json['updatedAt'], body['createdAt']);
      assert.equal(json['str'], 'x');
      assert.equal(json['int'], 1);
    });

    it('round-trips GeoPoint and Bytes', async () => {
      const obj = new Parse.Object(Thing);
      obj.set('place', new Parse.GeoPoint(40.5, -73.25));
      obj.set('blob', BYTES);
      await obj.save();

      const fetched = await new Parse.Query(Thing).get(obj.id ?? '');
      const place = fetched.get('place') as InstanceType<ParseSDK['GeoPoint']>;
      assert.ok(place instanceof Parse.GeoPoint);
      assert.equal(place.latitude, 40.5);
      assert.equal(place.longitude, -73.25);
      assert.deepEqual(fetched.get('blob'), BYTES);
    });

    it('round-trips a Polygon and arrays nested in arrays', async (t) => {
      if (target.nestedArraysUnsupported) {
        t.skip(target.nestedArraysUnsupported);
        return;
      }
      const obj = new Parse.Object(Thing);
      obj.set(
        'area',
        new Parse.Polygon([
          [0, 0],
          [0, 1],
          [1, 1],
          [1, 0],
        ]),
      );
      obj.set('grid', NESTED_ARRAY);
      await obj.save();

      const fetched = await new Parse.Query(Thing).get(obj.id ?? '');
      const area = fetched.get('area') as InstanceType<ParseSDK['Polygon']>;
      assert.ok(area instanceof Parse.Polygon);
      // Stored as a closed GeoJSON ring, read back as [lat, lng] pairs with the first point repeated.
      assert.deepEqual(area.coordinates, [
        [0, 0],
        [0, 1],
        [1, 1],
        [1, 0],
        [0, 0],
      ]);
      assert.deepEqual(fetched.get('grid'), NESTED_ARRAY);
    });

    it('stores ACLs exactly and reads them back with the master key', async () => {
      const publicRead = new Parse.Object(Thing);
      const acl = new Parse.ACL();
      acl.setPublicReadAccess(true);
      acl.setReadAccess('someUserId0', true);
      acl.setWriteAccess('someUserId0', true);
      acl.setRoleReadAccess('Admins', true);
      publicRead.setACL(acl);
      publicRead.set('label', 'public-read');
      await publicRead.save();

      const locked = new Parse.Object(Thing);
      locked.setACL(new Parse.ACL());
      locked.set('label', 'locked');
      await locked.save();

      const readBack = await new Parse.Query(Thing).get(publicRead.id ?? '', { useMasterKey: true });
      assert.deepEqual(readBack.getACL()?.toJSON(), {
        '*': { read: true },
        someUserId0: { read: true, write: true },
        'role:Admins': { read: true },
      });
      const lockedBack = await new Parse.Query(Thing).get(locked.id ?? '', { useMasterKey: true });
      assert.deepEqual(lockedBack.getACL()?.toJSON(), {});
      assert.equal(lockedBack.get('label'), 'locked');
    });

    it('unsets a field so it is absent on the next read', async () => {
      const obj = new Parse.Object(Thing);
      obj.set({ keep: 'k', drop: 'd' });
      await obj.save();
      assert.equal(obj.existed(), false);
      obj.unset('drop');
      await obj.save();
      assert.equal(obj.existed(), true);
      assert.ok((obj.updatedAt?.getTime() ?? 0) >= (obj.createdAt?.getTime() ?? Infinity));

      const fetched = await new Parse.Query(Thing).get(obj.id ?? '');
      assert.equal(fetched.has('drop'), false);
      assert.equal(fetched.get('keep'), 'k');
      const raw = await rest(target, { method: 'GET', path: `/classes/${Thing}/${obj.id ?? ''}` });
      assert.equal(Object.hasOwn(raw.body as object, 'drop'), false);
      assert.equal(fetched.updatedAt?.toISOString(), obj.updatedAt?.toISOString());
      assert.equal(fetched.createdAt?.toISOString(), obj.createdAt?.toISOString());
    });

    it('stores pointers, fetches them as unfetched pointers, and inlines them with include', async () => {
      const grand = new Parse.Object(Parent);
      grand.set('name', 'grand');
      await grand.save();
      const parent = new Parse.Object(Parent);
      parent.set({ name: 'parent', up: grand });
      await parent.save();
      const child = new Parse.Object(Child);
      child.set({ name: 'child', parent });
      await child.save();

      const plain = await new Parse.Query(Child).get(child.id ?? '');
      const pointer = plain.get('parent') as InstanceType<ParseSDK['Object']>;
      assert.equal(pointer.className, Parent);
      assert.equal(pointer.id, parent.id);
      assert.equal(pointer.isDataAvailable(), false);
      const raw = await rest(target, { method: 'GET', path: `/classes/${Child}/${child.id ?? ''}` });
      assert.deepEqual((raw.body as Record<string, unknown>)['parent'], {
        __type: 'Pointer',
        className: Parent,
        objectId: parent.id,
      });

      const deep = await new Parse.Query(Child).include('parent.up').get(child.id ?? '');
      const p = deep.get('parent') as InstanceType<ParseSDK['Object']>;
      assert.equal(p.get('name'), 'parent');
      const g = p.get('up') as InstanceType<ParseSDK['Object']>;
      assert.equal(g.id, grand.id);
      assert.equal(g.get('name'), 'grand');

      const fetchedPointer = await pointer.fetch();
      assert.equal(fetchedPointer.get('name'), 'parent');
    });

    it('adds to a relation, lists it with relation.query() and reports the field as a Relation', async () => {
      const a = new Parse.Object(Child);
      a.set('name', 'a');
      const b = new Parse.Object(Child);
      b.set('name', 'b');
      await Parse.Object.saveAll([a, b]);
      const owner = new Parse.Object(Parent);
      owner.set('name', 'owner');
      owner.relation('kids').add([a, b]);
      await owner.save();

      const members = await owner.relation('kids').query().ascending('name').find();
      assert.deepEqual(
        members.map((m) => [m.className, m.id, m.get('name')]),
        [
          [Child, a.id, 'a'],
          [Child, b.id, 'b'],
        ],
      );

      const fetched = await new Parse.Query(Parent).get(owner.id ?? '');
      const relation = fetched.get('kids') as InstanceType<ParseSDK['Relation']>;
      assert.ok(relation instanceof Parse.Relation);
      assert.equal(relation.targetClassName, Child);
      const raw = await rest(target, { method: 'GET', path: `/classes/${Parent}/${owner.id ?? ''}` });
      assert.deepEqual((raw.body as Record<string, unknown>)['kids'], { __type: 'Relation', className: Child });

      // Every object of the class carries the Relation field, even one that never touched it.
      const bystander = new Parse.Object(Parent);
      bystander.set('name', 'bystander');
      await bystander.save();
      const other = await rest(target, { method: 'GET', path: `/classes/${Parent}/${bystander.id ?? ''}` });
      assert.deepEqual((other.body as Record<string, unknown>)['kids'], { __type: 'Relation', className: Child });
    });

    it('fails to fetch a missing object with 101 (HTTP 404)', async () => {
      await expectParseError(new Parse.Query(Thing).get('doesNotExs'), Parse.Error.OBJECT_NOT_FOUND);
      const ghost = new Parse.Object(Thing);
      ghost.id = 'doesNotExs';
      await expectParseError(ghost.fetch(), Parse.Error.OBJECT_NOT_FOUND);
      const raw = await rest(target, { method: 'GET', path: `/classes/${Thing}/doesNotExs` });
      assert.equal(raw.status, 404);
      assert.deepEqual(raw.body, { code: 101, error: 'Object not found.' });
    });

    it('deletes an object, after which fetching it fails with 101', async () => {
      const obj = new Parse.Object(Thing);
      obj.set('str', 'short-lived');
      await obj.save();
      await obj.destroy();
      await expectParseError(new Parse.Query(Thing).get(obj.id ?? ''), Parse.Error.OBJECT_NOT_FOUND);
      await expectParseError(obj.fetch(), Parse.Error.OBJECT_NOT_FOUND);
    });

    it('rejects a value of the wrong type with 111', async () => {
      const obj = new Parse.Object(Thing);
      obj.set('int', 'not a number');
      const err = await expectParseError(obj.save(), Parse.Error.INCORRECT_TYPE);
      assert.equal(err.message, `schema mismatch for ${Thing}.int; expected Number but got String`);
      const ptr = new Parse.Object(Child);
      ptr.set('parent', 'not a pointer');
      await expectParseError(ptr.save(), Parse.Error.INCORRECT_TYPE);
    });

    it('rejects an invalid field name with 105', async () => {
      // The SDK validates key names itself; `ignoreValidation` lets the bad name reach the server.
      const obj = new Parse.Object(Thing);
      obj.set('bad-name', 1, { ignoreValidation: true });
      const err = await expectParseError(obj.save(), Parse.Error.INVALID_KEY_NAME);
      assert.equal(err.message, 'Invalid field name: bad-name.');
      // A leading underscore passes the SDK's own check but is reserved on the server.
      const underscore = new Parse.Object(Thing);
      underscore.set('_secret', 1);
      const err2 = await expectParseError(underscore.save(), Parse.Error.INVALID_KEY_NAME);
      assert.equal(err2.message, 'Invalid field name: _secret.');
    });
  });
}
