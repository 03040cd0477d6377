import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, decodeRecord, encode } from './codec.js';
import { acl } from './index.js';

// The REST codec on its own: what the end-to-end suites rely on, including hostile input.
describe('codec', () => {
  it('encodes dates anywhere, builders as their JSON, included objects as pointers, and drops undefined', () => {
    const when = new Date('2024-01-02T03:04:05.006Z');
    assert.deepEqual(encode({ when, list: [when, 1], nested: { when }, gone: undefined, ACL: acl().publicRead() }), {
      when: { __type: 'Date', iso: '2024-01-02T03:04:05.006Z' },
      list: [{ __type: 'Date', iso: '2024-01-02T03:04:05.006Z' }, 1],
      nested: { when: { __type: 'Date', iso: '2024-01-02T03:04:05.006Z' } },
      ACL: { '*': { read: true } },
    });
    assert.deepEqual(encode({ __type: 'Object', className: 'Team', objectId: 'abc', name: 'x' }), {
      __type: 'Pointer',
      className: 'Team',
      objectId: 'abc',
    });
    assert.deepEqual(encode({ __type: 'GeoPoint', latitude: 1, longitude: 2 }), {
      __type: 'GeoPoint',
      latitude: 1,
      longitude: 2,
    });
  });

  it('decodes dates, record timestamps and included objects', () => {
    const record = decodeRecord<Record<string, unknown>>({
      objectId: 'a',
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-02T00:00:00.000Z',
      due: { __type: 'Date', iso: '2024-03-01T00:00:00.000Z' },
      owner: { __type: 'Object', className: '_User', objectId: 'u', createdAt: '2023-01-01T00:00:00.000Z' },
      meta: { createdAt: 'a plain string stays a string' },
      file: { __type: 'File', name: 'n', url: 'u' },
    });
    assert.ok(record['createdAt'] instanceof Date);
    assert.ok(record['updatedAt'] instanceof Date);
    assert.equal((record['due'] as Date).toISOString(), '2024-03-01T00:00:00.000Z');
    assert.ok((record['owner'] as { createdAt: unknown }).createdAt instanceof Date);
    assert.deepEqual(record['meta'], { createdAt: 'a plain string stays a string' });
    assert.deepEqual(record['file'], { __type: 'File', name: 'n', url: 'u' });
  });

  it('never lets a __proto__ key reach a prototype, either way', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": {"__proto__": {"polluted": true}}}') as unknown;
    const decoded = decode(hostile) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.deepEqual(Object.keys(decoded), ['__proto__', 'a']);
    const encoded = encode(hostile) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(encoded), Object.prototype);
    // The key survives as data, so the server can refuse it (105) instead of it vanishing silently.
    assert.equal(JSON.stringify(encoded), '{"__proto__":{"polluted":true},"a":{"__proto__":{"polluted":true}}}');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});
