import { isMasterLike } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import type { CloudObjectJSON, CloudRunner, HookCaller } from '../cloud/index.js';
import type { Logger } from '../infra/index.js';
import type { EncodeOptions } from '../schema/index.js';
import { resolveCaller } from './caller.js';
import { shapeObject } from './shape.js';
import type { StoredObject } from '../storage/index.js';
import { BARE_FILE_URLS, objectToJSON } from './rest-json.js';
import type { CoreDeps } from './deps.js';

/**
 * Where a core operation was called from, for cloud code: the client context, IP, raw headers, the request's
 * logger and how file URLs are written. Front ends fill it in; every field is optional (internal calls).
 */
export interface RequestOrigin {
  /** `X-Parse-Cloud-Context` / `_context`: copied per operation, never stored or returned. */
  readonly context?: Readonly<Record<string, unknown>>;
  readonly ip?: string;
  /** Raw request headers; flattened (repeated headers joined) only when a hook runs. */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly log?: Logger;
  /** File URLs in objects handed to hooks. */
  readonly encode?: EncodeOptions;
}

/** The hook runner, when cloud code is wired in and the class has hooks; undefined is the fast path. */
export function hooksFor(deps: CoreDeps, className: string): CloudRunner | undefined {
  const cloud = deps.cloud;
  return cloud !== undefined && cloud.hasTriggers(className) ? cloud : undefined;
}

export function encodeOptionsOf(origin: RequestOrigin | undefined): EncodeOptions {
  return origin?.encode ?? BARE_FILE_URLS;
}

/**
 * The caller as hooks see it (spec/cloud.md §3), built once per operation that runs a hook: the session's user
 * as REST JSON (loaded with full rights, as Parse hands `request.user`), a fresh copy of the context, and the
 * role names resolved only when a validator asks for them.
 */
export async function hookCaller(
  deps: CoreDeps,
  options: { auth: Auth; origin: RequestOrigin | undefined; user?: CloudObjectJSON },
): Promise<HookCaller> {
  const { auth, origin } = options;
  const log = (origin?.log ?? deps.cloud?.logger) as Logger;
  const user = options.user ?? (auth.kind === 'user' ? await userJSON(deps, auth.userId, origin) : undefined);
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(origin?.headers ?? {})) {
    headers[name] = typeof value === 'string' || value === undefined ? value : value.join(', ');
  }
  let roles: Promise<readonly string[]> | undefined;
  return {
    info: {
      master: auth.kind === 'master' || auth.kind === 'readOnlyMaster',
      isReadOnly: auth.kind === 'readOnlyMaster',
      ...(user === undefined ? {} : { user }),
      ...(auth.kind === 'user' ? { sessionToken: auth.sessionToken } : {}),
      ...(auth.installationId === undefined ? {} : { installationId: auth.installationId }),
      ...(origin?.ip === undefined ? {} : { ip: origin.ip }),
      headers,
    },
    context: { ...origin?.context },
    log,
    roleNames: () => {
      roles ??= roleNamesOf(deps, auth);
      return roles;
    },
  };
}

async function roleNamesOf(deps: CoreDeps, auth: Auth): Promise<readonly string[]> {
  if (isMasterLike(auth) || auth.kind !== 'user') return [];
  const caller = await resolveCaller(deps, auth);
  return (caller?.entities ?? []).filter((entity) => entity.startsWith('role:')).map((entity) => entity.slice(5));
}

/**
 * A user as hooks receive it: every public field (hooks are trusted code; internal `_` fields stay out). Read
 * straight from storage: the user rules' own readers would close an import cycle through the email flows.
 */
export async function userJSON(
  deps: CoreDeps,
  userId: string,
  origin: RequestOrigin | undefined,
): Promise<CloudObjectJSON | undefined> {
  const schema = await deps.schemas.get('_User');
  if (schema === undefined) return undefined;
  const [row] = await deps.storage.find({ schema, where: { kind: 'eq', path: ['objectId'], value: userId }, limit: 1 });
  return row === undefined ? undefined : storedUserJSON(deps, { row, origin });
}

export async function storedUserJSON(
  deps: CoreDeps,
  options: { row: StoredObject; origin: RequestOrigin | undefined },
): Promise<CloudObjectJSON> {
  const schema = await deps.schemas.get('_User');
  const shaped =
    schema === undefined
      ? { className: '_User', objectId: options.row.objectId, fields: {} }
      : shapeObject({ schema, object: options.row, projection: {} });
  return objectToJSON(shaped, encodeOptionsOf(options.origin));
}
