import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ErrorCodes,
  StrataError,
  acl,
  add,
  addRelation,
  addUnique,
  bytes,
  createClient,
  geoPoint,
  increment,
  pointer,
  polygon,
  remove,
  removeRelation,
  unset,
} from './index.js';
import type { ACL, Bytes, GeoPoint, Pointer, Polygon, Relation, StrataClient } from './index.js';
import { APP_ID, CLIENT_KEY, MASTER_KEY, backends, startServer } from './test-server.test-util.js';
import type { SdkTestServer } from './test-server.test-util.js';

// Objects end to end: a real Strata server, spoken to over real HTTP by the SDK, on SQLite and on MongoDB.
interface Player {
  name: string;
}
interface GameScore {
  player: string;
  score: number;
  cheat?: boolean;
  tags?: string[];
  meta?: Record<string, unknown>;
  playedAt?: Date;
  where?: GeoPoint;
  area?: Polygon;
  blob?: Bytes;
  owner?: Pointer<Player>;
  fans?: Relation<Player>;
  ACL?: ACL;
}

const rejectsWith = (code: number, status: number) => (err: unknown) => {
  assert.ok(err instanceof StrataError, String(err));
  assert.equal(err.code, code, err.message);
  assert.equal(err.status, status);
  return true;
};

for (const { backend, skip } of backends()) {
  if (skip !== false) console.log(`# skipping SDK object tests on ${backend}: ${skip}`);
  describe(`@strata/sdk objects [${backend}]`, { skip }, () => {
    let server: SdkTestServer;
    let client: StrataClient;
    let master: StrataClient;

    before(async () => {
      server = await startServer({ backend });
      client = createClient({ serverURL: server.serverURL, appId: APP_ID, clientKey: CLIENT_KEY });
      master = client.with({ masterKey: MASTER_KEY });
    });
    after(() => server?.close());

    it('creates, gets, updates and deletes a plain typed record', async () => {
      const scores = client.collection<GameScore>('GameScore');
      const created = await scores.create({ player: 'Sean', score: 1337 });
      assert.match(created.objectId, /^[A-Za-z0-9]{10}$/);
      assert.ok(created.createdAt instanceof Date);
      assert.equal(created.updatedAt.getTime(), created.createdAt.getTime());
      assert.equal(created.player, 'Sean');
      assert.equal(created.score, 1337);

      const fetched = await scores.get(created.objectId);
      assert.deepEqual(
        { ...fetched },
        {
          objectId: created.objectId,
          player: 'Sean',
          score: 1337,
          createdAt: created.createdAt,
          updatedAt: created.updatedAt,
        },
      );

      const updated = await scores.update(created.objectId, { score: 2000, cheat: true });
      assert.equal(updated.objectId, created.objectId);
      assert.ok(updated.updatedAt instanceof Date);
      assert.ok(updated.updatedAt.getTime() >= created.createdAt.getTime());
      assert.equal(updated.score, 2000);
      const again = await scores.get(created.objectId);
      assert.equal(again.score, 2000);
      assert.equal(again.cheat, true);
      assert.equal(again.updatedAt.getTime(), updated.updatedAt.getTime());

      await scores.delete(created.objectId);
      await assert.rejects(scores.get(created.objectId), rejectsWith(ErrorCodes.OBJECT_NOT_FOUND, 404));
      await assert.rejects(scores.delete(created.objectId), rejectsWith(ErrorCodes.OBJECT_NOT_FOUND, 404));
    });

    it('round-trips every Parse value type', async () => {
      const players = client.collection<Player>('Player');
      const ann = await players.create({ name: 'Ann' });
      const scores = client.collection<GameScore>('GameScore');
      const playedAt = new Date('2024-05-01T10:00:00.123Z');
      const created = await scores.create({
        player: 'Ann',
        score: 1,
        tags: ['a', 'b'],
        meta: { level: 3, nested: { when: 'x' } },
        playedAt,
        where: geoPoint(40.5, -73.25),
        blob: bytes(new TextEncoder().encode('hello')),
        owner: players.pointer(ann.objectId),
      });
      assert.equal(created.playedAt?.getTime(), playedAt.getTime());
      const got = await scores.get(created.objectId);
      assert.ok(got.playedAt instanceof Date);
      assert.equal(got.playedAt.toISOString(), '2024-05-01T10:00:00.123Z');
      assert.deepEqual(got.tags, ['a', 'b']);
      assert.deepEqual(got.meta, { level: 3, nested: { when: 'x' } });
      assert.deepEqual(got.where, { __type: 'GeoPoint', latitude: 40.5, longitude: -73.25 });
      assert.deepEqual(got.blob, { __type: 'Bytes', base64: 'aGVsbG8=' });
      assert.deepEqual({ ...got.owner }, { __type: 'Pointer', className: 'Player', objectId: ann.objectId });

      // An included pointer carries the object's fields; writing it back stores a plain pointer again.
      const withOwner = await scores.get(created.objectId, { include: ['owner'] });
      assert.equal(withOwner.owner?.__type, 'Object');
      assert.equal(withOwner.owner?.name, 'Ann');
      assert.ok(withOwner.owner?.createdAt instanceof Date);
      await scores.update(created.objectId, { owner: withOwner.owner });
      assert.deepEqual(
        { ...(await scores.get(created.objectId)).owner },
        {
          __type: 'Pointer',
          className: 'Player',
          objectId: ann.objectId,
        },
      );
      assert.deepEqual(pointer('Player', 'x'), { __type: 'Pointer', className: 'Player', objectId: 'x' });
    });

    it(
      'round-trips a Polygon',
      { skip: backend === 'mongodb' ? 'FerretDB 1.24 cannot index Polygon fields (2dsphere)' : false },
      async () => {
        const scores = client.collection<GameScore>('GameScore');
        const area = polygon([
          [0, 0],
          [0, 1],
          [1, 1],
        ]);
        const created = await scores.create({ player: 'Poly', score: 0, area });
        const got = await scores.get(created.objectId);
        assert.equal(got.area?.__type, 'Polygon');
        assert.deepEqual(got.area?.coordinates.slice(0, 3), [
          [0, 0],
          [0, 1],
          [1, 1],
        ]);
      },
    );

    it('applies update operations atomically and returns their results', async () => {
      const scores = client.collection<GameScore>('GameScore');
      const created = await scores.create({ player: 'Op', score: increment(5), tags: add('x', 'y') });
      assert.equal(created.score, 5);
      assert.deepEqual(created.tags, ['x', 'y']);
      await scores.update(created.objectId, { score: increment() });
      assert.equal((await scores.update(created.objectId, { score: increment(10) })).score, 16);

      const r1 = await scores.update(created.objectId, { score: increment(-6), tags: addUnique('y', 'z') });
      assert.equal(r1.score, 10);
      assert.deepEqual(r1.tags, ['x', 'y', 'z']);
      const r2 = await scores.update(created.objectId, { tags: remove('x'), cheat: true });
      assert.deepEqual(r2.tags, ['y', 'z']);
      assert.equal(r2.cheat, true);
      const r3 = await scores.update(created.objectId, { cheat: unset() });
      assert.equal('cheat' in r3, false);
      const got = await scores.get(created.objectId);
      assert.equal(got.cheat, undefined);
      assert.deepEqual(got.tags, ['y', 'z']);
    });

    it(
      'loses no concurrent increment',
      { skip: backend === 'mongodb' ? 'FerretDB 1.24 loses concurrent $inc updates' : false },
      async () => {
        const scores = client.collection<GameScore>('GameScore');
        const { objectId } = await scores.create({ player: 'Race', score: 0 });
        await Promise.all(Array.from({ length: 10 }, () => scores.update(objectId, { score: increment(2) })));
        assert.equal((await scores.get(objectId)).score, 20);
      },
    );

    it('adds and removes relation members', async () => {
      const players = client.collection<Player>('Player');
      const [a, b] = await Promise.all([players.create({ name: 'rel-a' }), players.create({ name: 'rel-b' })]);
      const scores = client.collection<GameScore>('GameScore');
      const game = await scores.create({ player: 'Rel', score: 0, fans: addRelation(players.pointer(a.objectId)) });
      assert.deepEqual(game.fans, { __type: 'Relation', className: 'Player' });
      await scores.update(game.objectId, { fans: addRelation(players.pointer(b.objectId)) });
      const fans = () =>
        players
          .query()
          .relatedTo(scores.pointer(game.objectId), 'fans')
          .order('name')
          .find()
          .then((list) => list.map((p) => p.name));
      assert.deepEqual(await fans(), ['rel-a', 'rel-b']);
      await scores.update(game.objectId, { fans: removeRelation(players.pointer(a.objectId)) });
      assert.deepEqual(await fans(), ['rel-b']);
      assert.deepEqual((await scores.get(game.objectId)).fans, { __type: 'Relation', className: 'Player' });
    });

    it('protects objects with an ACL built by acl()', async () => {
      const owner = await client.auth.signUp({ username: `acl-${backend}`, password: 'pw-123456' });
      const other = createClient({ serverURL: server.serverURL, appId: APP_ID, clientKey: CLIENT_KEY });
      await other.auth.signUp({ username: `acl-other-${backend}`, password: 'pw-123456' });
      const notes = client.collection<{ text: string; ACL?: ACL }>('Note');
      const secret = await notes.create({ text: 'mine', ACL: acl().user(owner, 'readWrite') });
      assert.deepEqual(secret.ACL, { [owner.objectId]: { read: true, write: true } });
      const shared = await notes.create({ text: 'shared', ACL: acl().publicRead().user(owner.objectId, 'write') });
      const theirs = other.collection<{ text: string }>('Note');
      await assert.rejects(theirs.get(secret.objectId), rejectsWith(ErrorCodes.OBJECT_NOT_FOUND, 404));
      assert.equal((await theirs.get(shared.objectId)).text, 'shared');
      await assert.rejects(
        theirs.update(shared.objectId, { text: 'x' }),
        rejectsWith(ErrorCodes.OBJECT_NOT_FOUND, 404),
      );
      assert.deepEqual((await notes.get(shared.objectId)).ACL, {
        '*': { read: true },
        [owner.objectId]: { write: true },
      });
      assert.deepEqual(acl().role('admins', 'read').publicWrite().toJSON(), {
        'role:admins': { read: true },
        '*': { write: true },
      });
      await client.auth.logOut();
      await other.auth.logOut();
    });

    it('batches writes, typed per operation, and reports each failure', async () => {
      const scores = client.collection<GameScore>('GameScore');
      const doomed = await scores.create({ player: 'Doomed', score: 0 });
      const [a, b, c, d] = await client.batch([
        scores.batch.create({ player: 'B1', score: 1 }),
        scores.batch.update(doomed.objectId, { score: increment(7) }),
        scores.batch.delete('doesNotExist'),
        scores.batch.create({ player: 'B2', score: 2 }),
      ]);
      assert.ok(a.ok && b.ok && d.ok);
      assert.equal(a.value.player, 'B1');
      assert.ok(a.value.createdAt instanceof Date);
      assert.equal(b.value.score, 7);
      assert.equal(c.ok, false);
      assert.equal(c.ok === false && c.error.code, ErrorCodes.OBJECT_NOT_FOUND);
      assert.equal((await scores.get(a.value.objectId)).score, 1);

      // More operations than one request carries are split transparently.
      const many = await client.batch(
        Array.from({ length: 120 }, (_, i) => scores.batch.create({ player: 'bulk', score: i })),
      );
      assert.equal(many.length, 120);
      assert.ok(many.every((r) => r.ok));
      assert.equal(await scores.query().equalTo('player', 'bulk').count(), 120);
    });

    it(
      'runs a transactional batch all or nothing',
      { skip: backend === 'mongodb' ? 'FerretDB 1.24 has no transactions' : false },
      async () => {
        const scores = client.collection<GameScore>('GameScore');
        const ok = await client.batch(
          [scores.batch.create({ player: 'T1', score: 1 }), scores.batch.create({ player: 'T2', score: 2 })],
          { transaction: true },
        );
        assert.ok(ok.every((r) => r.ok));
        await assert.rejects(
          client.batch([scores.batch.create({ player: 'T3', score: 3 }), scores.batch.delete('missingObj1')], {
            transaction: true,
          }),
          rejectsWith(ErrorCodes.OBJECT_NOT_FOUND, 404),
        );
        assert.equal(await scores.query().equalTo('player', 'T3').count(), 0);
      },
    );

    it('answers bad input with the Parse error and changes nothing', async () => {
      const scores = client.collection<GameScore>('GameScore');
      const s = await scores.create({ player: 'Typed', score: 1 });
      await assert.rejects(
        scores.update(s.objectId, { score: 'high' as unknown as number }),
        rejectsWith(ErrorCodes.INCORRECT_TYPE, 400),
      );
      assert.equal((await scores.get(s.objectId)).score, 1);
      const raw = client.collection<Record<string, unknown>>('GameScore');
      await assert.rejects(
        raw.create(JSON.parse('{"__proto__": {"x": 1}, "player": "p"}')),
        rejectsWith(ErrorCodes.INVALID_KEY_NAME, 400),
      );
      // Saving into an invalid class name is 107, as parse-server answers (issue 11); the schema API keeps 103.
      await assert.rejects(client.collection('Bad-Name').create({}), rejectsWith(ErrorCodes.INVALID_JSON, 400));
      // An empty objectId would address the class itself: refused before anything is sent.
      await assert.rejects(scores.get(''), rejectsWith(ErrorCodes.MISSING_OBJECT_ID, 0));
      await assert.rejects(scores.update('', { score: 2 }), rejectsWith(ErrorCodes.MISSING_OBJECT_ID, 0));
      await assert.rejects(scores.delete(''), rejectsWith(ErrorCodes.MISSING_OBJECT_ID, 0));
      assert.equal((await scores.get(s.objectId)).score, 1);
      assert.equal(({} as Record<string, unknown>)['x'], undefined);
    });

    it('reports a wrong client key and an unreachable server', async () => {
      const wrong = createClient({
        serverURL: server.serverURL,
        appId: APP_ID,
        clientKey: 'wrong',
        retry: { retries: 0 },
      });
      await assert.rejects(wrong.collection('GameScore').query().find(), (err: unknown) => {
        assert.ok(err instanceof StrataError);
        assert.equal(err.status, 403);
        assert.equal(err.code, ErrorCodes.OTHER_CAUSE);
        assert.equal(err.message, 'unauthorized');
        return true;
      });
      const offline = createClient({
        serverURL: 'http://127.0.0.1:1/parse',
        appId: APP_ID,
        retry: { retries: 1, minDelayMs: 1 },
      });
      await assert.rejects(
        offline.request({ method: 'GET', path: '/health' }),
        rejectsWith(ErrorCodes.CONNECTION_FAILED, 0),
      );
    });

    it('reaches any endpoint with a raw request, and master-only ones with the master key', async () => {
      assert.deepEqual(await client.request({ method: 'GET', path: '/health' }), { status: 'ok' });
      await assert.rejects(
        client.request({ method: 'GET', path: '/schemas' }),
        (err: unknown) => err instanceof StrataError && err.status === 403,
      );
      const schemas = (await master.request({ method: 'GET', path: '/schemas' })) as {
        results: Array<{ className: string }>;
      };
      assert.ok(schemas.results.some((s) => s.className === 'GameScore'));
    });
  });
}
