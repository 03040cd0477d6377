import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import bcrypt from 'bcrypt';
import { createPasswordHasher } from './password.js';

describe('password hashing', () => {
  const hasher = createPasswordHasher({ cost: 4 });

  it('hashes at the configured cost and verifies the right password only', async () => {
    const hash = await hasher.hash('correct horse');
    assert.match(hash, /^\$2b\$04\$/);
    assert.equal(await hasher.verify('correct horse', hash), true);
    assert.equal(await hasher.verify('wrong horse', hash), false);
  });

  it('verifies hashes written with the $2a$, $2b$ and $2y$ prefixes (parse-server writes $2a$/$2b$)', async () => {
    const b = await bcrypt.hash('legacy pw', 4);
    const variants = { a: `$2a$${b.slice(4)}`, b, y: `$2y$${b.slice(4)}` };
    for (const [prefix, hash] of Object.entries(variants)) {
      assert.equal(await hasher.verify('legacy pw', hash), true, `$2${prefix}$`);
      assert.equal(await hasher.verify('other', hash), false, `$2${prefix}$ wrong`);
    }
  });

  it('a malformed hash never verifies, and the timing equalizer always answers false', async () => {
    assert.equal(await hasher.verify('x', 'plaintext'), false);
    assert.equal(await hasher.verify('x', ''), false);
    assert.equal(await hasher.verifyAgainstNothing('strata-timing-equalizer'), false);
  });

  it('concurrent first calls of a fresh hasher share the lazily loaded library and all answer', async () => {
    const fresh = createPasswordHasher({ cost: 4 });
    const [one, two, none] = await Promise.all([
      fresh.hash('pw one'),
      fresh.hash('pw two'),
      fresh.verifyAgainstNothing('x'),
    ]);
    assert.equal(none, false);
    assert.deepEqual(await Promise.all([fresh.verify('pw one', one), fresh.verify('pw two', two)]), [true, true]);
  });
});
