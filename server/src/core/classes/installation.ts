import { isMasterLike } from '../../auth/index.js';
import type { Auth } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import { MATCH_NONE } from '../../query/index.js';
import type { FieldWrite, WriteInput } from '../write-input.js';
import { existingInstallation, loadInstallation } from './installation-upsert.js';
import type { ClassRules } from './rules.js';

/**
 * `_Installation` rules (rest.md §9, push.md §2, security.md §2). A client creates and updates its own
 * installation: a create is an upsert by `installationId` (the body's or `X-Parse-Installation-Id`) or a
 * unique `deviceToken`, de-duplicated as Parse does (`installation-upsert.ts`); `installationId` and
 * `deviceType` never change once set (136). Reads: a client may read only its own installation, by id
 * (matched by its installation id), never query the class (119): every installation's `deviceToken` would
 * otherwise be one `GET /classes/_Installation` away. Deletes are master-only (119), as in Parse.
 *
 * Unlike Parse, a client's update of an installation must present that installation's `installationId`
 * (in the body or as its installation id header): knowing an objectId alone does not let one device
 * rewrite another's channels. Every official SDK sends its installation id, so their flows are unchanged.
 */
export const installationRules: ClassRules = {
  beforeDelete({ auth }) {
    if (!isMasterLike(auth)) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  },
  beforeFind({ auth, byId }) {
    if (!byId && !isMasterLike(auth)) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN);
  },
  restrictQuery({ auth, access }) {
    if (access !== 'read' || isMasterLike(auth)) return undefined;
    const own = auth.installationId?.toLowerCase();
    return own === undefined ? MATCH_NONE : { kind: 'eq', path: ['installationId'], value: own };
  },
  existingForCreate({ deps, auth, input }) {
    return existingInstallation(deps, { auth, input: normalized(input, auth) });
  },
  prepareCreate({ auth, input }) {
    const fields = normalized(input, auth).fields;
    if (stringOf(fields['installationId']) === undefined && stringOf(fields['deviceToken']) === undefined) {
      throw new ParseError(ErrorCode.MISSING_REQUIRED_FIELD, {
        message: 'at least one ID field (deviceToken, installationId) must be specified in this operation',
      });
    }
    if (stringOf(fields['deviceType']) === undefined) {
      throw new ParseError(ErrorCode.MISSING_REQUIRED_FIELD, {
        message: 'deviceType must be specified in this operation',
      });
    }
    return Promise.resolve({ ...input, fields });
  },
  async prepareUpdate({ deps, auth, objectId, input }) {
    const prepared = normalized(input, auth, { fromHeader: false });
    const row = await loadInstallation(deps, objectId);
    // Missing: the update itself answers 101 (and the SDKs then register again).
    if (row === undefined) return prepared;
    for (const field of ['installationId', 'deviceType'] as const) {
      const write = prepared.fields[field];
      if (write === undefined) continue;
      const stored = row.fields[field];
      if (write.op === 'set' && typeof stored === 'string' && write.value === stored) continue;
      if (write.op === 'set' && stored === undefined && field === 'installationId') continue;
      throw new ParseError(ErrorCode.CHANGED_IMMUTABLE_FIELD, {
        message: `${field} may not be changed in this operation`,
      });
    }
    if (!isMasterLike(auth) && !ownsInstallation({ auth, input: prepared, stored: row.fields })) {
      throw new ParseError(ErrorCode.OBJECT_NOT_FOUND);
    }
    return prepared;
  },
};

/** Whether a client's write presents the installation's own id (or, for a row without one, its token). */
function ownsInstallation(options: { auth: Auth; input: WriteInput; stored: Record<string, unknown> }): boolean {
  const { auth, input, stored } = options;
  const presented = stringOf(input.fields['installationId']) ?? auth.installationId?.toLowerCase();
  const storedId = stored['installationId'];
  if (typeof storedId === 'string') return presented === storedId;
  const token = stringOf(input.fields['deviceToken']);
  return token !== undefined && token === stored['deviceToken'];
}

/**
 * Parse's normal form: `installationId` lower-cased (taken from the installation id header on a create that
 * has none), a 64-hex-digit APNs `deviceToken` lower-cased.
 */
function normalized(
  input: WriteInput,
  auth: Auth,
  options: { fromHeader: boolean } = { fromHeader: true },
): WriteInput {
  const fields: Record<string, FieldWrite> = { ...input.fields };
  const id = stringOf(fields['installationId']);
  if (id !== undefined) fields['installationId'] = { op: 'set', value: id.toLowerCase() };
  else if (options.fromHeader && fields['installationId'] === undefined && auth.installationId !== undefined) {
    fields['installationId'] = { op: 'set', value: auth.installationId.toLowerCase() };
  }
  const token = stringOf(fields['deviceToken']);
  if (token !== undefined && /^[0-9a-fA-F]{64}$/.test(token)) {
    fields['deviceToken'] = { op: 'set', value: token.toLowerCase() };
  }
  return { ...input, fields };
}

function stringOf(write: FieldWrite | undefined): string | undefined {
  return write?.op === 'set' && typeof write.value === 'string' && write.value !== '' ? write.value : undefined;
}
