import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomHex, randomString } from './random.js';

describe('randomString', () => {
  it('answers exactly the length asked, over [A-Za-z0-9], for lengths longer than one UUID gives', () => {
    for (const length of [0, 1, 10, 19, 20, 21, 25, 32, 96]) {
      const value = randomString(length);
      assert.equal(value.length, length);
      assert.match(value, /^[A-Za-z0-9]*$/);
    }
  });

  it('uses all 62 characters about evenly (no bias toward the first ones) and does not repeat ids', () => {
    const counts = new Map<string, number>();
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const id = randomString(10);
      ids.add(id);
      for (const char of id) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    assert.equal(ids.size, 20_000);
    assert.equal(counts.size, 62);
    // 200,000 draws: ~3,226 per character, standard deviation ~56; a modulo bias (e.g. 64 % 62 folding '0'
    // and '1' onto 'A' and 'B') would put two characters ~1,600 above the rest.
    for (const [char, count] of counts) assert.ok(count > 2_900 && count < 3_550, `${char}: ${count}`);
  });
});

describe('randomHex', () => {
  it('answers two hex digits per byte', () => {
    assert.match(randomHex(16), /^[0-9a-f]{32}$/);
  });
});
