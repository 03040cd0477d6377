import type { Auth } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { Condition } from '../../query/index.js';
import type { ClassSchema } from '../../schema/index.js';
import type { StoredObject } from '../../storage/index.js';
import type { CoreDeps } from '../deps.js';
import { deleteObjects } from '../object-writes.js';
import type { FieldWrite, WriteInput } from '../write-input.js';

const CLASS = '_Installation';
/** More rows than this sharing one token is a broken table, not a device: it is refused, never scanned. */
const MAX_TOKEN_MATCHES = 100;

/**
 * Parse's installation upsert and device-token de-duplication (rest.md §9; facts from parse-server's
 * `handleInstallation`, our own code): a `POST` naming an `installationId` that exists updates that row;
 * one naming only a `deviceToken` updates the single row holding it (several → 132); a token that moved
 * to another installation id (an app re-installed: new id, same token) is taken from the rows that held
 * it, which are deleted, so the device is not pushed twice; a row holding the token but no installation id
 * is adopted by the new id. Resolves with the objectId to update, or undefined to create.
 */
export async function existingInstallation(
  deps: CoreDeps,
  options: { auth: Auth; input: WriteInput },
): Promise<string | undefined> {
  const installationId = setString(options.input.fields['installationId']);
  const deviceToken = setString(options.input.fields['deviceToken']);
  if (installationId === undefined && deviceToken === undefined) return undefined;
  const schema = await deps.schemas.get(CLASS);
  if (schema === undefined) return undefined;
  const rows = (where: Condition): Promise<StoredObject[]> =>
    deps.storage.find({ schema, where, limit: MAX_TOKEN_MATCHES + 1 });
  const byId =
    installationId === undefined ? [] : await rows({ kind: 'eq', path: ['installationId'], value: installationId });
  const byToken =
    deviceToken === undefined ? [] : await rows({ kind: 'eq', path: ['deviceToken'], value: deviceToken });
  if (byToken.length > MAX_TOKEN_MATCHES) {
    throw new ParseError(ErrorCode.INVALID_INSTALLATION_ID, {
      message: 'Too many installations share this deviceToken.',
    });
  }
  const own = byId[0];
  if (own !== undefined) {
    await removeStale(deps, { rows: byToken.filter((row) => row.objectId !== own.objectId), schema });
    return own.objectId;
  }
  if (byToken.length === 0) return undefined;
  if (installationId === undefined) {
    if (byToken.length > 1) {
      throw new ParseError(ErrorCode.INVALID_INSTALLATION_ID, {
        message: 'Must specify installationId when deviceToken matches multiple Installation objects',
      });
    }
    return byToken[0]?.objectId;
  }
  // A new installation id with a known token: a row without an id is adopted, rows of other ids lose it.
  const adoptable = byToken.find((row) => typeof row.fields['installationId'] !== 'string');
  await removeStale(deps, { rows: byToken.filter((row) => row !== adoptable), schema });
  return adoptable?.objectId;
}

/** The stored installation `objectId`, read as the server (internal to the rules). */
export async function loadInstallation(deps: CoreDeps, objectId: string): Promise<StoredObject | undefined> {
  const schema = await deps.schemas.get(CLASS);
  if (schema === undefined) return undefined;
  const [row] = await deps.storage.find({
    schema,
    where: { kind: 'eq', path: ['objectId'], value: objectId },
    limit: 1,
  });
  return row;
}

async function removeStale(
  deps: CoreDeps,
  options: { rows: readonly StoredObject[]; schema: ClassSchema },
): Promise<void> {
  if (options.rows.length === 0) return;
  await deleteObjects(deps, {
    schema: options.schema,
    where: { kind: 'in', path: ['objectId'], values: options.rows.map((row) => row.objectId) },
  });
}

function setString(write: FieldWrite | undefined): string | undefined {
  return write?.op === 'set' && typeof write.value === 'string' && write.value !== '' ? write.value : undefined;
}
