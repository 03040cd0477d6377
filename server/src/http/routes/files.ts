import { ErrorCode, ParseError } from '../../errors/index.js';
import { randomHex } from '../../lib/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';
import type { EncodingContext } from '../encoding-context.js';
import { checkUploadName, isServableName, resolveUploadType } from '../files-content-type.js';
import type { FilesHttpOptions } from '../files-options.js';
import { readUploadBody } from '../files-upload.js';

/** Room for the JSON form's base64 (4 characters per 3 bytes) and its other fields. */
const JSON_FORM_OVERHEAD = 64 * 1024;
/**
 * The JSON form is read whole before the caller is even known, so it is capped whatever the upload limit:
 * larger files use the raw body (the JS SDK streams Node Buffers and streams that way).
 */
const JSON_FORM_MAX = 32 * 1024 * 1024;

/**
 * `POST /files/:filename` (upload, 201 `{url, name}`) and `DELETE /files/:filename` (master key), rest.md
 * §10. Downloads are not API routes: they need no Parse headers (`<img src>`), see `files-download.ts`.
 */
export function fileRoutes(options: { files: FilesHttpOptions; encoding: EncodingContext }): RouteDefinition[] {
  const { files, encoding } = options;
  return [
    {
      method: 'POST',
      path: '/files',
      body: 'stream',
      handler: () => Promise.reject(new ParseError(ErrorCode.INVALID_FILE_NAME, { message: 'Filename not provided.' })),
    },
    {
      method: 'POST',
      path: '/files/:filename',
      body: 'stream',
      bodyLimit: Math.min(Math.ceil((files.maxUploadSize * 4) / 3), JSON_FORM_MAX) + JSON_FORM_OVERHEAD,
      handler: (request) => upload({ files, encoding, request }),
    },
    { method: 'DELETE', path: '/files/:filename', handler: (request) => remove(files, request) },
  ];
}

async function upload(options: {
  files: FilesHttpOptions;
  encoding: EncodingContext;
  request: ApiRequest;
}): Promise<ApiResponse> {
  const { files, request } = options;
  const { auth } = request;
  if (auth.kind === 'readOnlyMaster') throw readOnlyMaster();
  const master = auth.kind === 'master' || auth.kind === 'maintenance';
  checkUploadName(request.params['filename'] ?? '');
  if (!master) await checkUploadAllowed({ files, request });
  const body = readUploadBody(request, { maxUploadSize: files.maxUploadSize, master });
  if (body.directory !== undefined) {
    // parse-server files directories (a master-key feature) are not supported yet.
    throw new ParseError(master ? ErrorCode.FILE_SAVE_ERROR : ErrorCode.OPERATION_FORBIDDEN, {
      message: master ? 'File directories are not supported.' : 'Permission denied',
    });
  }
  const typed = resolveUploadType({
    name: request.params['filename'] ?? '',
    contentType: body.contentType,
    allowedExtensions: files.allowedExtensions,
    master,
  });
  const name = files.preserveFileName ? typed.name : `${randomHex(16)}_${typed.name}`;
  if (!isServableName(name)) throw new ParseError(ErrorCode.INVALID_FILE_NAME, { message: 'Filename too long.' });
  const event = {
    auth,
    name,
    ...(typed.contentType === undefined ? {} : { contentType: typed.contentType }),
    metadata: body.metadata,
    tags: body.tags,
  };
  await files.hooks?.beforeSave?.(event);
  const info = await files.store.write({
    name,
    ...(typed.contentType === undefined ? {} : { contentType: typed.contentType }),
    source: body.source,
    maxBytes: body.maxBytes,
    metadata: body.metadata,
    tags: body.tags,
    ...(body.signal === undefined ? {} : { signal: body.signal }),
  });
  await files.hooks?.afterSave?.({ ...event, size: info.size });
  const url = options.encoding.forRequest(request).fileURL(name);
  return { status: 201, body: { url, name }, headers: { Location: url } };
}

/**
 * Parse's `fileUpload` policy (rest.md §10.1): public callers, anonymous users and other users may each
 * be allowed or refused (130). An anonymous user is one whose `authData` has `anonymous`.
 */
async function checkUploadAllowed(options: { files: FilesHttpOptions; request: ApiRequest }): Promise<void> {
  const { files, request } = options;
  const { auth } = request;
  const policy = files.uploadPolicy;
  const refuse = (who: string): ParseError =>
    new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: `File upload by ${who} is disabled.` });
  if (auth.kind !== 'user') {
    if (!policy.public) throw refuse('public');
    return;
  }
  if (policy.anonymous && policy.authenticated) return;
  const user = await request.core.get({ auth, className: '_User', objectId: auth.userId });
  const authData = user.fields['authData'];
  const anonymous = typeof authData === 'object' && authData !== null && 'anonymous' in authData;
  if (anonymous && !policy.anonymous) throw refuse('anonymous user');
  if (!anonymous && !policy.authenticated) throw refuse('authenticated user');
}

/** `DELETE /files/:filename`: master key only; 200 with an empty body; a missing file → 153. */
async function remove(files: FilesHttpOptions, request: ApiRequest): Promise<ApiResponse> {
  const { auth } = request;
  if (auth.kind === 'readOnlyMaster') throw readOnlyMaster();
  if (auth.kind !== 'master' && auth.kind !== 'maintenance') {
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, { message: 'Permission denied', httpStatus: 403 });
  }
  const name = request.params['filename'] ?? '';
  if (!isServableName(name)) throw new ParseError(ErrorCode.FILE_DELETE_ERROR);
  const info = await files.store.stat(name);
  const event = {
    auth,
    name,
    ...(info?.contentType === undefined ? {} : { contentType: info.contentType }),
    ...(info === undefined ? {} : { size: info.size }),
    metadata: info?.metadata ?? {},
    tags: info?.tags ?? {},
  };
  await files.hooks?.beforeDelete?.(event);
  if (info === undefined || !(await files.store.delete(name))) throw new ParseError(ErrorCode.FILE_DELETE_ERROR);
  await files.hooks?.afterDelete?.(event);
  return { body: undefined };
}

function readOnlyMaster(): ParseError {
  return new ParseError(ErrorCode.OPERATION_FORBIDDEN, { message: 'Permission denied', httpStatus: 403 });
}
