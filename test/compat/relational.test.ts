// Relational queries from the official Parse JS SDK: matchesQuery / doesNotMatchQuery ($inQuery /
// $notInQuery), matchesKeyInQuery / doesNotMatchKeyInQuery ($select / $dontSelect), containedBy,
// relation.query() (redirectClassNameForKey) and $relativeTime. Runs against every target of
// `compatTargets()`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compatTargets, uniqueClassName, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

type ParseObject = InstanceType<ParseSDK['Object']>;
type ParseQuery = InstanceType<ParseSDK['Query']>;

for (const spec of compatTargets()) {
  describe(`parse SDK relational queries [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;
    const Author = uniqueClassName('Author');
    const Book = uniqueClassName('Book');
    const Shelf = uniqueClassName('Shelf');
    const authors: Record<string, ParseObject> = {};

    const titles = async (query: ParseQuery): Promise<string[]> =>
      (await query.find()).map((book) => book.get('title') as string).sort();

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
      const make = (className: string, fields: Record<string, unknown>): ParseObject => {
        const object = new Parse.Object(className);
        object.set(fields);
        return object;
      };
      const hidden = make(Author, { name: 'Cid', tier: 1, city: 'Rome' });
      hidden.setACL(new Parse.ACL());
      authors['ann'] = make(Author, { name: 'Ann', tier: 1, city: 'Paris' });
      authors['bob'] = make(Author, { name: 'Bob', tier: 2, city: 'Oslo' });
      authors['cid'] = hidden;
      await Parse.Object.saveAll([authors['ann'], authors['bob'], hidden]);
      await Parse.Object.saveAll([
        make(Book, { title: 'one', author: authors['ann'], city: 'Paris', tags: ['x'] }),
        make(Book, { title: 'two', author: authors['bob'], city: 'Oslo', tags: ['x', 'z'] }),
        make(Book, { title: 'three', author: hidden, city: 'Rome', tags: [] }),
        make(Book, { title: 'four', city: 'Lima' }),
      ]);
    });
    after(async () => {
      await target?.close();
    });

    it('matchesQuery / doesNotMatchQuery run the inner query with the caller permissions', async () => {
      const tierOne = new Parse.Query(Author).equalTo('tier', 1);
      assert.deepEqual(await titles(new Parse.Query(Book).matchesQuery('author', tierOne)), ['one']);
      assert.deepEqual(await titles(new Parse.Query(Book).doesNotMatchQuery('author', tierOne)), [
        'four',
        'three',
        'two',
      ]);
      const none = new Parse.Query(Author).equalTo('name', 'Nobody');
      assert.deepEqual(await titles(new Parse.Query(Book).matchesQuery('author', none)), []);
      assert.equal(await new Parse.Query(Book).matchesQuery('author', tierOne).count(), 1);
    });

    it('matchesKeyInQuery / doesNotMatchKeyInQuery', async () => {
      const all = new Parse.Query(Author);
      assert.deepEqual(await titles(new Parse.Query(Book).matchesKeyInQuery('city', 'city', all)), ['one', 'two']);
      assert.deepEqual(await titles(new Parse.Query(Book).doesNotMatchKeyInQuery('city', 'city', all)), [
        'four',
        'three',
      ]);
    });

    it('containedBy', async (t) => {
      if (spec.name === 'mongodb') {
        // Declared in the storage conformance suite (elemMatchOperators) and covered on SQLite.
        t.skip('FerretDB 1.24 applies $elemMatch: {$nin} to the whole array, not to each element');
        return;
      }
      assert.deepEqual(await titles(new Parse.Query(Book).containedBy('tags', ['x', 'y'])), ['four', 'one', 'three']);
    });

    it('relation.query() lists the members of a relation (redirectClassNameForKey)', async () => {
      const shelf = new Parse.Object(Shelf);
      shelf.relation('authors').add([authors['ann'] as ParseObject, authors['bob'] as ParseObject]);
      await shelf.save();
      const members = await shelf.relation('authors').query().ascending('name').find();
      assert.deepEqual(
        members.map((member) => [member.className, member.get('name')]),
        [
          [Author, 'Ann'],
          [Author, 'Bob'],
        ],
      );
    });

    it('$relativeTime through lessThan / greaterThan', async () => {
      const recent = new Parse.Query(Book).greaterThan('createdAt', { $relativeTime: '1 hour ago' } as unknown as Date);
      assert.deepEqual(await titles(recent), ['four', 'one', 'three', 'two']);
      const old = new Parse.Query(Book).lessThan('createdAt', { $relativeTime: '1 day ago' } as unknown as Date);
      assert.deepEqual(await titles(old), []);
    });
  });
}
