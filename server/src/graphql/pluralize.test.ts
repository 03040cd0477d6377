import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classNames } from './names.js';
import { pluralize } from './pluralize.js';

describe("Parse's GraphQL names", () => {
  it('pluralizes the last word of a class name like English', () => {
    const cases: Record<string, string> = {
      gameScore: 'gameScores',
      person: 'people',
      category: 'categories',
      todo: 'todos',
      photo: 'photos',
      hero: 'heroes',
      box: 'boxes',
      status: 'statuses',
      bus: 'buses',
      leaf: 'leaves',
      bookShelf: 'bookShelves',
      day: 'days',
      news: 'news',
      user: 'users',
      role: 'roles',
      session: 'sessions',
      installation: 'installations',
    };
    for (const [single, plural] of Object.entries(cases)) assert.equal(pluralize(single), plural, single);
  });

  it('names types, get and find queries; find<Type> when the plural is the word itself', () => {
    assert.deepEqual(classNames('_User'), { className: '_User', type: 'User', single: 'user', plural: 'users' });
    assert.deepEqual(classNames('gameScore'), {
      className: 'gameScore',
      type: 'GameScore',
      single: 'gameScore',
      plural: 'gameScores',
    });
    assert.equal(classNames('AliceFinds').plural, 'findAliceFinds');
  });
});
