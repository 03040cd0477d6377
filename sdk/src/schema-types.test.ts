import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { acl, add, addRelation, createClient, geoPoint, increment, unset } from './index.js';
import type { ACL, GeoPoint, Pointer, Relation, StrataClient, StrataFile } from './index.js';
import { APP_ID, CLIENT_KEY, startServer } from './test-server.test-util.js';
import type { SdkTestServer } from './test-server.test-util.js';

/**
 * The schema typing contract: a `Schema` shaped like the file `strata types` writes. Each
 * `@ts-expect-error` line is a mistake the compiler must catch (the typecheck fails if one stops being an
 * error); they sit in a function that never runs, the calls around it run against a real server.
 */
interface User {
  username?: string;
  email?: string;
  nickname?: string;
  ACL?: ACL;
}
interface Todo {
  title: string;
  done?: boolean;
  owner?: Pointer<User>;
  photo?: StrataFile;
  tags?: string[];
  location?: GeoPoint;
  members?: Relation<User>;
  meta?: Record<string, unknown>;
  due?: Date;
  priority?: number;
  ACL?: ACL;
}
interface Schema {
  Todo: Todo;
  _User: User;
}

describe('@strata/sdk typed by a generated Schema', () => {
  let server: SdkTestServer;
  let client: StrataClient<Schema>;

  before(async () => {
    server = await startServer();
    client = createClient<Schema>({ serverURL: server.serverURL, appId: APP_ID, clientKey: CLIENT_KEY });
  });
  after(() => server?.close());

  it('types collections, records, queries and patches from the schema', async () => {
    const me = await client.auth.signUp({ username: 'typed', password: 'pw-typed-1', nickname: 'T' });
    const nickname: string | undefined = me.nickname;
    assert.equal(nickname, 'T');

    const todos = client.collection('Todo');
    const users = client.collection('_User');
    const todo = await todos.create({
      title: 'Buy milk',
      due: new Date('2030-01-01T00:00:00Z'),
      tags: ['shop'],
      owner: users.pointer(me.objectId),
      location: geoPoint(1, 2),
      members: addRelation(users.pointer(me.objectId)),
      priority: increment(2),
      ACL: acl().user(me, 'readWrite'),
    });
    const title: string = todo.title;
    const due: Date | undefined = todo.due;
    const created: Date = todo.createdAt;
    assert.equal(title, 'Buy milk');
    assert.equal(due?.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.ok(created instanceof Date);
    assert.equal(todo.priority, 2);

    const patched = await todos.update(todo.objectId, { done: true, tags: add('dairy'), meta: unset() });
    assert.deepEqual(patched.tags, ['shop', 'dairy']);

    const q = todos.query().equalTo('done', true).greaterThan('due', new Date('2029-01-01T00:00:00Z'));

    const found = await q.include('owner').order('-due', 'title').find();
    assert.equal(found.length, 1);
    const ownerName: string | undefined = found[0]?.owner?.username;
    assert.equal(ownerName, 'typed');
    const picked = await todos.query().select('title').first();
    assert.equal(picked?.title, 'Buy milk');
    // @ts-expect-error: only `title` (and the system fields) were selected
    assert.equal(picked?.done, undefined);
    const tagged = await todos.where({ tags: 'dairy', priority: { $gte: 2 } }).count();
    assert.equal(tagged, 1);

    // Without a schema entry, a class is typed by hand.
    const loose = client.collection<{ n: number }>('Loose');
    assert.equal((await loose.create({ n: 1 })).n, 1);

    // Mistakes the compiler must reject; never run (a wrong write would reach the server).
    const mistakes = async (): Promise<void> => {
      // @ts-expect-error: `nick` is not a field of User
      await client.auth.update({ nick: 'x' }).catch(() => undefined);
      // @ts-expect-error: `title` is required
      await todos.create({ done: true }).catch(() => undefined);
      // @ts-expect-error: `titel` is not a field of Todo
      await todos.create({ titel: 'x' }).catch(() => undefined);
      // @ts-expect-error: `done` is a boolean
      await todos.update(todo.objectId, { done: 'yes' }).catch(() => undefined);
      // @ts-expect-error: increment() applies to numbers only
      await todos.update(todo.objectId, { title: increment() }).catch(() => undefined);
      // @ts-expect-error: tags holds strings
      await todos.update(todo.objectId, { tags: add(1) }).catch(() => undefined);
      // @ts-expect-error: `don` is not a field
      q.equalTo('don', true);
      // @ts-expect-error: `done` is compared with a boolean
      q.equalTo('done', 'true');
      // @ts-expect-error: `titel` cannot be ordered by
      q.order('-titel');
      // @ts-expect-error: `ownr` cannot be included
      q.include('ownr');
      // @ts-expect-error: `title` is a string
      todos.where({ title: 5 });
      // @ts-expect-error: `m` is not a field of the hand-written type
      await loose.create({ m: 1 }).catch(() => undefined);
      // @ts-expect-error: `Tood` is not a class of the schema
      client.collection('Tood');
      // @ts-expect-error: nor is `todo` (class names are case-sensitive)
      await client.collection('todo').create({ title: 'x' });
    };
    assert.equal(typeof mistakes, 'function');
    // An untyped client takes any class and field.
    const untyped = createClient({ serverURL: server.serverURL, appId: APP_ID, clientKey: CLIENT_KEY });
    assert.equal((await untyped.collection('Free').create({ anything: 1 })).anything, 1);
  });
});
