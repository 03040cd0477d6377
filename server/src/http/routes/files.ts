import { ErrorCode, ParseError } from '../../errors/index.js';
import { randomHex } from '../../lib/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';
import type { EncodingContext } from '../encoding-context.js';
import { checkUploadName, isActiveContentType, isServableName, resolveUploadType } from '../files-content-type.js';
import type { FileHookEvent, FileReplacement, FilesHttpOptions } from '../files-options.js';
import { readUploadBody, toStringMap } from '../files-upload.js';
import { originOf } from '../origin.js';

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
    { method: 'DELETE', path: '/files/:filename', handler: (request) => remove({ files, encoding, request }) },
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
  const origin = originOf(request, options.encoding);
  const uploaded: FileHookEvent = {
    auth,
    name,
    ...(typed.contentType === undefined ? {} : { contentType: typed.contentType }),
    ...(body.declaredSize === undefined ? {} : { size: body.declaredSize }),
    metadata: body.metadata,
    tags: body.tags,
    origin,
  };
  const replacement = await files.hooks?.beforeSave?.(uploaded);
  if (replacement?.url !== undefined) {
    // The hook answered a file that is stored already: nothing is written, the upload's body is dropped.
    const event = { ...replaced({ files, uploaded, replacement, master }), url: replacement.url };
    await files.hooks?.afterSave?.(event);
    return { status: 201, body: { url: event.url, name: event.name }, headers: { Location: event.url } };
  }
  const event = replacement === undefined ? uploaded : replaced({ files, uploaded, replacement, master });
  const info = await files.store.write({
    name: event.name,
    ...(event.contentType === undefined ? {} : { contentType: event.contentType }),
    source: body.source,
    maxBytes: body.maxBytes,
    metadata: event.metadata,
    tags: event.tags,
    ...(body.signal === undefined ? {} : { signal: body.signal }),
  });
  const url = options.encoding.forRequest(request).fileURL(event.name);
  await files.hooks?.afterSave?.({ ...event, size: info.size, url });
  return { status: 201, body: { url, name: event.name }, headers: { Location: url } };
}

/**
 * The upload as a beforeSave hook replaced it (spec/cloud.md §2), under a client's rules: a new name is
 * checked like the client's and gets its own unique prefix (so a hook's fixed name never overwrites another
 * file); a content type a browser would run is refused for non-master callers (stored XSS); metadata and tags
 * follow the upload header rules. A `url` answer names a file stored elsewhere: its name is answered as is.
 */
function replaced(options: {
  files: FilesHttpOptions;
  uploaded: FileHookEvent;
  replacement: FileReplacement;
  master: boolean;
}): FileHookEvent {
  const { files, uploaded, replacement, master } = options;
  let name = uploaded.name;
  let contentType = uploaded.contentType;
  if (replacement.url !== undefined) {
    name = replacement.name ?? name;
  } else if (replacement.name !== undefined && replacement.name !== uploaded.name) {
    checkUploadName(replacement.name);
    const typed = resolveUploadType({
      name: replacement.name,
      contentType: replacement.contentType ?? uploaded.contentType,
      allowedExtensions: files.allowedExtensions,
      master,
    });
    name = files.preserveFileName ? typed.name : `${randomHex(16)}_${typed.name}`;
    if (!isServableName(name)) throw new ParseError(ErrorCode.INVALID_FILE_NAME, { message: 'Filename too long.' });
    contentType = typed.contentType;
  }
  if (replacement.contentType !== undefined) {
    const anyAllowed = files.allowedExtensions?.includes('*') === true;
    if (!master && !anyAllowed && isActiveContentType(replacement.contentType)) {
      throw new ParseError(ErrorCode.FILE_SAVE_ERROR, {
        message: `File upload of content type ${replacement.contentType} is disabled.`,
      });
    }
    contentType = replacement.contentType;
  }
  // A file stored elsewhere (`url`) is not the upload: the upload's declared size does not describe it.
  const { size, ...rest } = uploaded;
  return {
    ...rest,
    ...(size === undefined || replacement.url !== undefined ? {} : { size }),
    name,
    ...(contentType === undefined ? {} : { contentType }),
    metadata:
      replacement.metadata === undefined
        ? uploaded.metadata
        : toStringMap({ value: replacement.metadata, what: 'metadata' }),
    tags: replacement.tags === undefined ? uploaded.tags : toStringMap({ value: replacement.tags, what: 'tags' }),
  };
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
async function remove(options: {
  files: FilesHttpOptions;
  encoding: EncodingContext;
  request: ApiRequest;
}): Promise<ApiResponse> {
  const { files, request } = options;
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
    ...(info === undefined ? {} : { url: options.encoding.forRequest(request).fileURL(name) }),
    origin: originOf(request, options.encoding),
  };
  await files.hooks?.beforeDelete?.(event);
  if (info === undefined || !(await files.store.delete(name))) throw new ParseError(ErrorCode.FILE_DELETE_ERROR);
  await files.hooks?.afterDelete?.(event);
  return { body: undefined };
}

function readOnlyMaster(): ParseError {
  return new ParseError(ErrorCode.OPERATION_FORBIDDEN, { message: 'Permission denied', httpStatus: 403 });
}
