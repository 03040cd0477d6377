import { requireMaster } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import type { Condition } from '../query/index.js';
import type { CoreDeps } from './deps.js';

/** A push's badge change (push.md §4): a number to set, or an increment. */
export type PushBadgeChange =
  { readonly kind: 'set'; readonly value: number } | { readonly kind: 'increment'; readonly amount: number };

export interface ApplyPushBadgesRequest {
  readonly auth: Auth;
  /** One page of the audience's iOS installations. */
  readonly objectIds: readonly string[];
  readonly change: PushBadgeChange;
}

/**
 * A push's badge change on one page of `_Installation`s at once: one storage `updateMany` over the page's
 * objectIds (one UPDATE statement on SQLite, one `updateMany` on MongoDB), then, for an increment, one read of
 * the badges it left. Answers the badge per installation objectId (an installation deleted meanwhile has none).
 * As parse-server's push controller does, this is a bulk write of the push machinery: it runs no `_Installation`
 * save triggers and publishes no per-object change. Master key only (the push worker).
 */
export async function applyPushBadges(deps: CoreDeps, request: ApplyPushBadgesRequest): Promise<Map<string, number>> {
  requireMaster(request.auth, { access: 'write' });
  const out = new Map<string, number>();
  const schema = await deps.schemas.get('_Installation');
  if (schema === undefined || request.objectIds.length === 0) return out;
  const { change } = request;
  const where: Condition = { kind: 'in', path: ['objectId'], values: [...request.objectIds] };
  await deps.storage.updateMany({
    schema,
    where,
    update: {
      fields: {
        badge: change.kind === 'set' ? { op: 'set', value: change.value } : { op: 'increment', amount: change.amount },
      },
      updatedAt: deps.users.now(),
    },
  });
  const rows = await deps.storage.find({ schema, where, keys: ['badge'] });
  for (const row of rows) {
    const badge = row.fields['badge'];
    if (typeof badge === 'number') out.set(row.objectId, badge);
  }
  return out;
}
