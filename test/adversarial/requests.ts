/**
 * fast-check generators of whole HTTP requests for every REST route family (create, get, find, update,
 * delete, batch, schemas, users and sessions, functions, files, and the rest), under every kind of caller
 * (client key, a user's session, master key, no credentials, a dead token, the JS SDK's body-embedded
 * form). Built after seeding, from what the seeded server holds, so most requests name real objects.
 * The families are drawn in object-requests.ts, admin-requests.ts and other-requests.ts; request-draft.ts
 * applies the caller.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { adminRequests } from './admin-requests.js';
import { objectRequests } from './object-requests.js';
import { otherRequests } from './other-requests.js';
import { requestParts, toRequest } from './request-draft.js';
import type { FuzzRequest, FuzzTarget } from './request-draft.js';

export type { Caller, FuzzRequest, FuzzTarget } from './request-draft.js';

export function requestArbitrary(target: FuzzTarget): Arbitrary<FuzzRequest> {
  const parts = requestParts(target);
  const { caller } = parts;
  const { create, get, find, update, remove, batch } = objectRequests(target, parts);
  const { schemas, users, functions } = adminRequests(target, parts);
  const { files, other } = otherRequests(target, parts);
  const draft = fc.oneof(
    { weight: 15, arbitrary: create },
    { weight: 10, arbitrary: get },
    { weight: 25, arbitrary: find },
    { weight: 12, arbitrary: update },
    { weight: 5, arbitrary: remove },
    { weight: 8, arbitrary: batch },
    { weight: 5, arbitrary: schemas },
    { weight: 10, arbitrary: users },
    { weight: 5, arbitrary: functions },
    { weight: 5, arbitrary: files },
    { weight: 5, arbitrary: other },
  );
  return fc.record({ d: draft, who: caller }).map(({ d, who }) => toRequest(target, d, d.caller ?? who));
}
