import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayBeJson, parseQueryString } from './params.js';

describe('query-string values', () => {
  it('are JSON when they parse and strings otherwise, with the pre-check never refusing JSON', () => {
    const json = ['{"a":1}', ' [1,2]', '"s"', 'true', 'false', 'null', '0', '20', '-1', '-0.5e3', '\n\t {}'];
    const text = ['-score', 'score', '-createdAt,score', '', ' ', '-', '-x', 'a{', 'updatedAt', '*', '+1'];
    for (const value of json) {
      assert.ok(mayBeJson(value), value);
      assert.deepEqual(parseQueryString(`v=${encodeURIComponent(value)}`)['v'], JSON.parse(value));
    }
    for (const value of text) {
      assert.ok(!mayBeJson(value), value);
      assert.throws(() => JSON.parse(value));
      assert.equal(parseQueryString(`v=${encodeURIComponent(value)}`)['v'], value);
    }
    // Starts like JSON but is not: still kept as the string.
    for (const value of ['1abc', 'name,-score', 'tru', '{bad', '[1,'])
      assert.equal(parseQueryString(`v=${encodeURIComponent(value)}`)['v'], value);
  });
});
