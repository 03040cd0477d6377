import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../errors/index.js';
import {
  applyGeneratedKeys,
  createGeneratedKeys,
  needsGeneratedKeys,
  parseKeysFile,
  requireConfiguredKeys,
} from './generated-keys.js';
import { resolveOptions } from './resolve.js';

const base = resolveOptions({ cwd: '/srv' });
const keys = {
  appId: 'strata-abc',
  masterKey: 'm'.repeat(64),
  clientKey: 'c'.repeat(48),
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('generated keys', () => {
  it('creates distinct random keys of the documented shape', () => {
    const a = createGeneratedKeys(new Date('2026-01-01T00:00:00Z'));
    const b = createGeneratedKeys(new Date('2026-01-01T00:00:00Z'));
    assert.match(a.appId, /^strata-[A-Za-z0-9]{12}$/);
    assert.match(a.masterKey, /^[0-9a-f]{64}$/);
    assert.match(a.clientKey, /^[0-9a-f]{48}$/);
    assert.equal(a.createdAt, '2026-01-01T00:00:00.000Z');
    assert.notEqual(a.masterKey, b.masterKey);
    assert.notEqual(a.masterKey, a.clientKey);
  });

  it('is needed when the app id or master key is missing', () => {
    assert.equal(needsGeneratedKeys(base), true);
    assert.equal(needsGeneratedKeys({ ...base, appId: 'a' }), true);
    assert.equal(needsGeneratedKeys({ ...base, appId: 'a', masterKey: 'm' }), false);
  });

  it('accepts the generated client key under every client-key header when none is configured', () => {
    const config = applyGeneratedKeys(base, keys);
    assert.equal(config.appId, 'strata-abc');
    assert.equal(config.masterKey, keys.masterKey);
    assert.deepEqual(
      [config.clientKey, config.javascriptKey, config.restAPIKey, config.dotNetKey],
      Array(4).fill(keys.clientKey),
    );
    assert.equal(Object.isFrozen(config), true);
  });

  it('keeps configured keys and does not add client keys when one is configured', () => {
    const config = applyGeneratedKeys({ ...base, appId: 'mine', javascriptKey: 'js' }, keys);
    assert.equal(config.appId, 'mine');
    assert.equal(config.masterKey, keys.masterKey);
    assert.equal(config.javascriptKey, 'js');
    assert.equal(config.restAPIKey, undefined);
    assert.equal(config.clientKey, undefined);
  });

  it('validates a keys file', () => {
    assert.deepEqual(parseKeysFile({ ...keys }, 'k.json'), keys);
    assert.throws(
      () => parseKeysFile({ appId: 'a' }, 'k.json'),
      (err: unknown) => {
        assert.ok(err instanceof ParseError);
        assert.equal(err.message, 'k.json: "masterKey" is missing; delete the file to generate new keys');
        return true;
      },
    );
  });

  it('requires both keys when no keys file is used', () => {
    assert.equal(requireConfiguredKeys({ ...base, appId: 'a', masterKey: 'm' }).appId, 'a');
    assert.throws(() => requireConfiguredKeys(base), ParseError);
  });
});
