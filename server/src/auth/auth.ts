/**
 * Who is asking. Every `core` operation takes one. Resolved by `auth/` from the request's keys and
 * session token; the permission checks that use it arrive with users and sessions.
 */
export type Auth =
  | { readonly kind: 'master'; readonly installationId?: string }
  | { readonly kind: 'readOnlyMaster'; readonly installationId?: string }
  | { readonly kind: 'maintenance'; readonly installationId?: string }
  | {
      readonly kind: 'user';
      readonly userId: string;
      readonly sessionToken: string;
      readonly installationId?: string;
    }
  | { readonly kind: 'public'; readonly installationId?: string };

export const MASTER: Auth = Object.freeze({ kind: 'master' });
export const PUBLIC: Auth = Object.freeze({ kind: 'public' });

/** Master, read-only master and maintenance keys bypass ACLs and class-level permissions on reads. */
export function isMasterLike(auth: Auth): boolean {
  return auth.kind === 'master' || auth.kind === 'readOnlyMaster' || auth.kind === 'maintenance';
}
