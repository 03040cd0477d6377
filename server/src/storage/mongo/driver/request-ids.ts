import type { Collection, Document } from 'mongodb';
import type { RequestIdClaim, RequestIdState } from '../../adapter.js';
import { collectionOf } from './context.js';
import type { MongoContext } from './context.js';
import { isDuplicateKeyError } from './errors.js';

/**
 * `X-Parse-Request-Id` records in parse-server's `_Idempotency` collection (spec/mongo-layout.md §3.14):
 * `{_id, reqId, expire, _created_at, _updated_at}` with the unique `reqId_1` and TTL `ttl` indexes that
 * `initializeDefaults` creates. Strata adds `fingerprint` and `response` (replays); parse-server ignores
 * them, and a record parse-server wrote (no fingerprint) is a plain duplicate to Strata.
 *
 * MongoDB's TTL monitor deletes expired records only about once a minute (FerretDB 1.x not at all), so a
 * record whose `expire` has passed is treated as gone and replaced here.
 */
interface IdempotencyDocument extends Document {
  _id: string;
}

function collection(context: MongoContext): Collection<IdempotencyDocument> {
  return collectionOf(context, '_Idempotency') as unknown as Collection<IdempotencyDocument>;
}

/** A race with a concurrent claim of an expired record can repeat at most a few times. */
const MAX_ATTEMPTS = 4;

export async function claimRequestId(context: MongoContext, claim: RequestIdClaim): Promise<RequestIdState> {
  const records = collection(context);
  for (let attempt = 0; ; attempt++) {
    try {
      await records.insertOne({
        _id: claim.token,
        reqId: claim.reqId,
        expire: claim.expire,
        fingerprint: claim.fingerprint,
        _created_at: claim.now,
        _updated_at: claim.now,
      });
      return { claimed: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const existing = await records.findOne({ reqId: claim.reqId });
    const retry = attempt + 1 < MAX_ATTEMPTS;
    if (existing === null) {
      if (retry) continue; // released or swept in between: claim again
      return { claimed: false, fingerprint: '' };
    }
    const expire: unknown = existing['expire'];
    if (retry && expire instanceof Date && expire.getTime() <= claim.now.getTime()) {
      // Only this record: a concurrent claimer may already have replaced it with a live one.
      await records.deleteOne({ _id: existing._id, reqId: claim.reqId });
      continue;
    }
    const fingerprint: unknown = existing['fingerprint'];
    const response: unknown = existing['response'];
    return {
      claimed: false,
      fingerprint: typeof fingerprint === 'string' ? fingerprint : '',
      ...(typeof response === 'string' ? { response } : {}),
    };
  }
}

export async function completeRequestId(
  context: MongoContext,
  options: { reqId: string; token: string; response: string | undefined },
): Promise<void> {
  const set: Document = { _updated_at: new Date() };
  if (options.response !== undefined) set['response'] = options.response;
  else set['completed'] = true;
  await collection(context).updateOne({ _id: options.token, reqId: options.reqId }, { $set: set });
}

export async function releaseRequestId(
  context: MongoContext,
  options: { reqId: string; token: string },
): Promise<void> {
  await collection(context).deleteOne({ _id: options.token, reqId: options.reqId });
}
