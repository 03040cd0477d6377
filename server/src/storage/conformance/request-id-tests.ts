import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestIdClaim, StorageAdapter } from '../adapter.js';
import { useStorage } from './harness.js';
import type { StorageConformanceOptions } from './harness.js';

const T0 = new Date('2025-02-01T00:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

/** Tokens are unique per claim in real use (random); here they are made unique by prefixing the id. */
function claim(reqId: string, token: string, extra: Partial<RequestIdClaim> = {}): RequestIdClaim {
  return { reqId, token: `${reqId}-${token}`, fingerprint: `fp-${reqId}`, expire: at(300), now: T0, ...extra };
}

type RequestIds = Required<Pick<StorageAdapter, 'claimRequestId' | 'completeRequestId' | 'releaseRequestId'>>;

function requestIds(storage: StorageAdapter): RequestIds {
  const { claimRequestId, completeRequestId, releaseRequestId } = storage;
  assert.ok(claimRequestId && completeRequestId && releaseRequestId, 'the adapter stores request ids');
  return {
    claimRequestId: claimRequestId.bind(storage),
    completeRequestId: completeRequestId.bind(storage),
    releaseRequestId: releaseRequestId.bind(storage),
  };
}

/** `X-Parse-Request-Id` records: claim once, complete with a response, release, expiry, concurrent claims. */
export function requestIdTests(options: StorageConformanceOptions): void {
  describe('request ids', () => {
    const storage = useStorage(options);

    it('the first claim wins; later ones see its fingerprint and, once completed, its response', async () => {
      const ids = requestIds(storage());
      assert.deepEqual(await ids.claimRequestId(claim('r1', 'tok1')), { claimed: true });
      assert.deepEqual(await ids.claimRequestId(claim('r1', 'tok2', { fingerprint: 'other' })), {
        claimed: false,
        fingerprint: 'fp-r1',
      });
      await ids.completeRequestId({ reqId: 'r1', token: 'r1-tok1', response: '{"body":{"ok":1}}' });
      assert.deepEqual(await ids.claimRequestId(claim('r1', 'tok3')), {
        claimed: false,
        fingerprint: 'fp-r1',
        response: '{"body":{"ok":1}}',
      });
    });

    it('completing without a response keeps the id taken, with nothing to replay', async () => {
      const ids = requestIds(storage());
      await ids.claimRequestId(claim('r2', 'tok1'));
      await ids.completeRequestId({ reqId: 'r2', token: 'r2-tok1', response: undefined });
      assert.deepEqual(await ids.claimRequestId(claim('r2', 'tok2')), { claimed: false, fingerprint: 'fp-r2' });
    });

    it('only the claimer releases or completes; a released id can be claimed again', async () => {
      const ids = requestIds(storage());
      await ids.claimRequestId(claim('r3', 'tok1'));
      await ids.releaseRequestId({ reqId: 'r3', token: 'r3-not-mine' });
      await ids.completeRequestId({ reqId: 'r3', token: 'r3-not-mine', response: '{}' });
      assert.deepEqual(await ids.claimRequestId(claim('r3', 'tok2')), { claimed: false, fingerprint: 'fp-r3' });
      await ids.releaseRequestId({ reqId: 'r3', token: 'r3-tok1' });
      assert.deepEqual(await ids.claimRequestId(claim('r3', 'tok3')), { claimed: true });
    });

    it('an expired record counts as gone', async () => {
      const ids = requestIds(storage());
      await ids.claimRequestId(claim('r4', 'tok1', { expire: at(60) }));
      assert.equal((await ids.claimRequestId(claim('r4', 'tok2', { now: at(59) }))).claimed, false);
      assert.deepEqual(await ids.claimRequestId(claim('r4', 'tok3', { now: at(60), expire: at(120) })), {
        claimed: true,
      });
      assert.equal((await ids.claimRequestId(claim('r4', 'tok4', { now: at(61) }))).claimed, false);
    });

    it('concurrent claims of one id: exactly one wins', async () => {
      const ids = requestIds(storage());
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => ids.claimRequestId(claim('r5', `tok${i}`))),
      );
      assert.equal(results.filter((r) => r.claimed).length, 1);
    });
  });
}
