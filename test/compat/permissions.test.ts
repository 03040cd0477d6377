// The official Parse JS SDK against the permission engine: object ACLs with users and roles (Parse.ACL,
// Parse.Role with getUsers()/getRoles(), inherited roles), class-level permissions set through
// Parse.Schema, and the master key bypassing both (security.md §3-4). Runs against every compat target.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { compatTargets, expectParseError, uniqueClassName, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

const unique = (name: string): string => `${name}_${randomBytes(4).toString('hex')}`;

interface Session {
  readonly user: InstanceType<ParseSDK['User']>;
  readonly sessionToken: string;
}

for (const spec of compatTargets()) {
  describe(`parse SDK permissions [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;
    let alice: Session;
    let bob: Session;
    let carol: Session;

    const signUp = async (name: string): Promise<Session> => {
      const user = new Parse.User();
      user.set({ username: unique(name), password: `pw-${name}` });
      await user.signUp();
      return { user, sessionToken: user.getSessionToken() as string };
    };

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
      alice = await signUp('alice');
      bob = await signUp('bob');
      carol = await signUp('carol');
    });
    after(async () => {
      await target?.close();
    });

    it('a Parse.ACL for one user: the owner reads and writes, others get 101, the master key bypasses', async () => {
      const className = uniqueClassName('Secret');
      const note = new Parse.Object(className);
      note.set('text', 'mine');
      note.setACL(new Parse.ACL(alice.user));
      await note.save(null, { sessionToken: alice.sessionToken });
      const id = note.id as string;

      const mine = await new Parse.Query(className).get(id, { sessionToken: alice.sessionToken });
      assert.equal(mine.get('text'), 'mine');
      await expectParseError(
        new Parse.Query(className).get(id, { sessionToken: bob.sessionToken }),
        Parse.Error.OBJECT_NOT_FOUND,
      );
      assert.equal(await new Parse.Query(className).count({ sessionToken: bob.sessionToken }), 0);
      const theirs = Parse.Object.extend(className).createWithoutData(id);
      theirs.set('text', 'hijacked');
      await expectParseError(theirs.save(null, { sessionToken: bob.sessionToken }), Parse.Error.OBJECT_NOT_FOUND);
      await expectParseError(theirs.destroy({ sessionToken: bob.sessionToken }), Parse.Error.OBJECT_NOT_FOUND);

      const asMaster = await new Parse.Query(className).get(id, { useMasterKey: true });
      assert.equal(asMaster.get('text'), 'mine');
    });

    it('role ACLs through Parse.Role: members read, inherited roles too, others do not', async () => {
      const roleACL = new Parse.ACL();
      roleACL.setPublicReadAccess(true);
      const editors = new Parse.Role(unique('Editors'), roleACL);
      editors.getUsers().add(bob.user);
      await editors.save(null, { useMasterKey: true });
      // Chiefs are editors too: Editors.roles holds Chiefs.
      const chiefs = new Parse.Role(unique('Chiefs'), roleACL);
      chiefs.getUsers().add(carol.user);
      await chiefs.save(null, { useMasterKey: true });
      editors.getRoles().add(chiefs);
      await editors.save(null, { useMasterKey: true });

      const className = uniqueClassName('Draft');
      const draft = new Parse.Object(className);
      const acl = new Parse.ACL();
      acl.setRoleReadAccess(editors, true);
      acl.setRoleWriteAccess(editors, true);
      draft.setACL(acl);
      draft.set('title', 'v1');
      await draft.save(null, { useMasterKey: true });
      const id = draft.id as string;

      const asBob = await new Parse.Query(className).get(id, { sessionToken: bob.sessionToken });
      assert.equal(asBob.get('title'), 'v1');
      const asCarol = await new Parse.Query(className).get(id, { sessionToken: carol.sessionToken });
      asCarol.set('title', 'v2');
      await asCarol.save(null, { sessionToken: carol.sessionToken });
      await expectParseError(
        new Parse.Query(className).get(id, { sessionToken: alice.sessionToken }),
        Parse.Error.OBJECT_NOT_FOUND,
      );
      assert.deepEqual(
        (await new Parse.Query(className).find({ sessionToken: alice.sessionToken })).map((o) => o.id),
        [],
      );

      // Taking carol's role out of Editors takes her access away on the next request.
      editors.getRoles().remove(chiefs);
      await editors.save(null, { useMasterKey: true });
      await expectParseError(
        new Parse.Query(className).get(id, { sessionToken: carol.sessionToken }),
        Parse.Error.OBJECT_NOT_FOUND,
      );
    });

    it('CLPs set through Parse.Schema: find for one user, create for a role, requiresAuthentication on get', async () => {
      const roleACL = new Parse.ACL();
      roleACL.setPublicReadAccess(true);
      const writers = new Parse.Role(unique('Writers'), roleACL);
      writers.getUsers().add(bob.user);
      await writers.save(null, { useMasterKey: true });

      const className = uniqueClassName('Locked');
      const schema = new Parse.Schema(className);
      schema.addString('title');
      schema.setCLP({
        find: { [alice.user.id as string]: true },
        count: { '*': true },
        get: { requiresAuthentication: true },
        create: { [`role:${writers.getName()}`]: true },
        update: {},
        delete: {},
        addField: {},
        protectedFields: { '*': [] },
      });
      await schema.save();
      const stored = (await new Parse.Schema(className).get()) as unknown as {
        classLevelPermissions: Record<string, unknown>;
      };
      assert.deepEqual(stored.classLevelPermissions['update'], {});

      const post = new Parse.Object(className);
      post.set('title', 'hello');
      await expectParseError(post.save(null, { sessionToken: alice.sessionToken }), Parse.Error.OPERATION_FORBIDDEN);
      await post.save(null, { sessionToken: bob.sessionToken });
      const id = post.id as string;

      const found = await new Parse.Query(className).find({ sessionToken: alice.sessionToken });
      assert.deepEqual(
        found.map((o) => o.get('title')),
        ['hello'],
      );
      await expectParseError(
        new Parse.Query(className).find({ sessionToken: bob.sessionToken }),
        Parse.Error.OPERATION_FORBIDDEN,
      );
      assert.equal((await new Parse.Query(className).get(id, { sessionToken: bob.sessionToken })).id, id);
      await expectParseError(new Parse.Query(className).get(id), Parse.Error.OBJECT_NOT_FOUND);

      const edit = Parse.Object.extend(className).createWithoutData(id);
      edit.set('title', 'changed');
      await expectParseError(edit.save(null, { sessionToken: bob.sessionToken }), Parse.Error.OPERATION_FORBIDDEN);
      // The master key passes every CLP.
      await edit.save(null, { useMasterKey: true });
      assert.equal((await new Parse.Query(className).find({ useMasterKey: true }))[0]?.get('title'), 'changed');
      await edit.destroy({ useMasterKey: true });
    });
  });
}
