import { assertMayWrite, isMaster, requireMaster } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import type { FileSaveResult } from '../cloud/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { StoredFileInfo } from '../files/index.js';
import { randomHex } from '../lib/index.js';
import type { CoreDeps } from './deps.js';
import { runFileTrigger } from './file-hooks.js';
import { checkUploadName, isActiveContentType, isServableName, resolveUploadType, toStringMap } from './file-names.js';
import type { FileServices } from './file-services.js';
import { get } from './find.js';
import { encodeOptionsOf } from './hook-caller.js';
import type { RequestOrigin } from './hook-caller.js';

/**
 * Files as operations (rest.md §10): uploads under Parse's upload policy and name rules, with cloud code's
 * `Parse.File` triggers around the store; master-key deletes; the checks a download passes. Front ends
 * decode the bytes (a streamed body, the JS SDK's base64 form) and serve ranges; every rule is here.
 */

/** An upload as a front end decoded it; nothing here is checked yet. */
export interface FileUpload {
  /** The bytes; read only once the upload is allowed, and never past the size limit. */
  readonly source: AsyncIterable<Uint8Array>;
  /** The client's Content-Type (header or `_ContentType`). */
  readonly contentType: string | undefined;
  /** As sent (a JSON object); checked by the metadata rules. */
  readonly metadata: unknown;
  readonly tags: unknown;
  /** `X-Parse-File-Directory` / `fileData.directory`, when sent. */
  readonly directory: string | undefined;
  /** The size known before the bytes are read (Content-Length, or the decoded base64 form's). */
  readonly declaredSize: number | undefined;
  /** `X-Parse-File-Max-Upload-Size`: a larger limit for this upload, master key only. */
  readonly requestedMaxBytes?: number;
  /**
   * The JS SDK's `X-Parse-Upload-Mode: stream`, where an oversized file is 130 (parse-server checks the size
   * itself there) instead of the 116 a raw or JSON body over the limit answers.
   */
  readonly streamMode: boolean;
  /** Aborted when the client goes away before the bytes are complete. */
  readonly signal?: AbortSignal;
}

export interface UploadFileRequest {
  readonly auth: Auth;
  /** The name the client asked for (`POST /files/:filename`). */
  readonly name: string;
  readonly upload: FileUpload;
  /** The request, for the triggers; `origin.encode` writes the file's URL. */
  readonly origin?: RequestOrigin;
}

/** One file as the triggers see it. */
interface FileEvent {
  readonly name: string;
  readonly contentType?: string;
  /** Before the save: the declared size, when known; after the save and before a delete: the stored size. */
  readonly size?: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly url?: string;
}

type FileReplacement = NonNullable<FileSaveResult['file']>;

/** Uploads a file: 201 `{url, name}` to the client. */
export async function uploadFile(deps: CoreDeps, request: UploadFileRequest): Promise<{ url: string; name: string }> {
  const files = filesOf(deps);
  const { auth, upload, origin } = request;
  // parse-server's files router answers the read-only master key 403.
  assertMayWrite(auth, { refusalStatus: 403 });
  // Only the master key skips the upload policy; the maintenance key is a caller without a user here.
  const master = isMaster(auth);
  checkUploadName(request.name);
  if (!master) await checkUploadAllowed(deps, { files, auth });
  const maxBytes = uploadLimit({ files, upload, master });
  if (upload.directory !== undefined) {
    // parse-server files directories (a master-key feature) are not supported yet.
    throw new ParseError(master ? ErrorCode.FILE_SAVE_ERROR : ErrorCode.OPERATION_FORBIDDEN, {
      message: master ? 'File directories are not supported.' : 'Permission denied',
    });
  }
  const typed = resolveUploadType({
    name: request.name,
    contentType: upload.contentType,
    allowedExtensions: files.allowedExtensions,
    master,
  });
  const uploaded: FileEvent = {
    name: storedName(files, typed.name),
    ...(typed.contentType === undefined ? {} : { contentType: typed.contentType }),
    ...(upload.declaredSize === undefined ? {} : { size: upload.declaredSize }),
    metadata: toStringMap({ value: upload.metadata, what: 'metadata' }),
    tags: toStringMap({ value: upload.tags, what: 'tags' }),
  };
  const fileURL = encodeOptionsOf(origin).fileURL;
  const trigger = (triggerName: 'beforeSave' | 'afterSave', file: FileEvent): Promise<FileReplacement | undefined> =>
    runFileTrigger(deps, { triggerName, auth, file, ...(origin === undefined ? {} : { origin }) });
  const replacement = await trigger('beforeSave', uploaded);
  if (replacement?.url !== undefined) {
    // The hook answered a file that is stored already: nothing is written, the upload's bytes are dropped.
    const event = { ...replaced({ files, uploaded, replacement, master }), url: replacement.url };
    await trigger('afterSave', event);
    return { url: event.url, name: event.name };
  }
  const event = replacement === undefined ? uploaded : replaced({ files, uploaded, replacement, master });
  const tooLarge = (): ParseError => sizeError({ maxBytes, streamMode: upload.streamMode });
  const info = await files.store.write({
    name: event.name,
    ...(event.contentType === undefined ? {} : { contentType: event.contentType }),
    source: limited(upload.source, { maxBytes, tooLarge }),
    maxBytes,
    metadata: event.metadata,
    tags: event.tags,
    ...(upload.signal === undefined ? {} : { signal: upload.signal }),
  });
  const url = fileURL(event.name);
  await trigger('afterSave', { ...event, size: info.size, url });
  return { url, name: event.name };
}

export interface DeleteFileRequest {
  readonly auth: Auth;
  readonly name: string;
  readonly origin?: RequestOrigin;
}

/** Deletes a file: master key only (403 / 119 otherwise); a missing file → 153. */
export async function deleteFile(deps: CoreDeps, request: DeleteFileRequest): Promise<void> {
  const files = filesOf(deps);
  const { auth, name, origin } = request;
  requireMaster(auth, { access: 'write', refusalStatus: 403 });
  if (!isServableName(name)) throw new ParseError(ErrorCode.FILE_DELETE_ERROR);
  const info = await files.store.stat(name);
  const event: FileEvent = {
    name,
    ...(info?.contentType === undefined ? {} : { contentType: info.contentType }),
    ...(info === undefined ? {} : { size: info.size }),
    metadata: info?.metadata ?? {},
    tags: info?.tags ?? {},
    ...(info === undefined ? {} : { url: encodeOptionsOf(origin).fileURL(name) }),
  };
  const trigger = (triggerName: 'beforeDelete' | 'afterDelete'): Promise<unknown> =>
    runFileTrigger(deps, { triggerName, auth, file: event, ...(origin === undefined ? {} : { origin }) });
  await trigger('beforeDelete');
  if (info === undefined || !(await files.store.delete(name))) throw new ParseError(ErrorCode.FILE_DELETE_ERROR);
  await trigger('afterDelete');
}

/**
 * A download's checks (rest.md §10.2): a name that can be stored (101 otherwise), and with signed URLs on, a
 * valid unexpired token for exactly this file (403 otherwise). Undefined when there is no such file.
 * Downloads need no Parse keys (`<img src>`).
 */
export async function openFile(
  deps: CoreDeps,
  request: { name: string; token: string | undefined },
): Promise<StoredFileInfo | undefined> {
  const files = filesOf(deps);
  if (!isServableName(request.name)) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND, { message: 'File not found.' });
  if (files.signer !== undefined && !files.signer.verify(request.name, request.token)) {
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, { message: 'Permission denied', httpStatus: 403 });
  }
  return files.store.stat(request.name);
}

/** The bytes of a file `openFile` allowed, whole or `[start, end]`; undefined when it is gone. */
export function readFile(
  deps: CoreDeps,
  request: { name: string; start?: number; end?: number },
): Promise<AsyncIterable<Uint8Array> | undefined> {
  return filesOf(deps).store.read(request);
}

function filesOf(deps: CoreDeps): FileServices {
  // The files routes exist only with a store; an internal call without one is a wiring error.
  if (deps.files === undefined) throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'Files are not served.' });
  return deps.files;
}

/** `<32 hex>_<name>` unless names are kept; a name too long to be served is refused (122). */
function storedName(files: FileServices, name: string): string {
  const stored = files.preserveFileName ? name : `${randomHex(16)}_${name}`;
  if (!isServableName(stored)) throw new ParseError(ErrorCode.INVALID_FILE_NAME, { message: 'Filename too long.' });
  return stored;
}

/** The size limit of this upload; 413 when the declared size is over it already. */
function uploadLimit(options: { files: FileServices; upload: FileUpload; master: boolean }): number {
  const { upload } = options;
  if (upload.requestedMaxBytes !== undefined && !options.master) {
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, {
      message: 'X-Parse-File-Max-Upload-Size requires the master key.',
    });
  }
  const maxBytes = upload.requestedMaxBytes ?? options.files.maxUploadSize;
  if (upload.declaredSize !== undefined && upload.declaredSize > maxBytes) {
    throw sizeError({ maxBytes, streamMode: upload.streamMode });
  }
  return maxBytes;
}

/**
 * 413 in every mode; the code is Parse's for the mode: 130 for the JS SDK's stream mode (parse-server
 * checks the size itself there), 116 for a raw or JSON body (what a body over the limit answers elsewhere).
 */
function sizeError(options: { maxBytes: number; streamMode: boolean }): ParseError {
  const message = `File size exceeds maximum allowed file size of ${options.maxBytes} bytes.`;
  return new ParseError(options.streamMode ? ErrorCode.FILE_SAVE_ERROR : ErrorCode.OBJECT_TOO_LARGE, {
    message,
    httpStatus: 413,
  });
}

/** The bytes, failing with 413 once more than `maxBytes` arrived (a lying or missing Content-Length included). */
async function* limited(
  source: AsyncIterable<Uint8Array>,
  options: { maxBytes: number; tooLarge: () => ParseError },
): AsyncIterable<Uint8Array> {
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > options.maxBytes) throw options.tooLarge();
    yield chunk;
  }
}

/**
 * Parse's `fileUpload` policy (rest.md §10.1): public callers, anonymous users and other users may each
 * be allowed or refused (130). An anonymous user is one whose `authData` has `anonymous`.
 */
async function checkUploadAllowed(deps: CoreDeps, options: { files: FileServices; auth: Auth }): Promise<void> {
  const { auth } = options;
  const policy = options.files.uploadPolicy;
  const refuse = (who: string): ParseError =>
    new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: `File upload by ${who} is disabled.` });
  if (auth.kind !== 'user') {
    if (!policy.public) throw refuse('public');
    return;
  }
  if (policy.anonymous && policy.authenticated) return;
  const user = await get(deps, { auth, className: '_User', objectId: auth.userId });
  const authData = user.fields['authData'];
  const anonymous = typeof authData === 'object' && authData !== null && 'anonymous' in authData;
  if (anonymous && !policy.anonymous) throw refuse('anonymous user');
  if (!anonymous && !policy.authenticated) throw refuse('authenticated user');
}

/**
 * The upload as a beforeSave hook replaced it (spec/cloud.md §2), under a client's rules: a new name is
 * checked like the client's and gets its own unique prefix (so a hook's fixed name never overwrites another
 * file); a content type a browser would run is refused for non-master callers (stored XSS); metadata and tags
 * follow the upload rules. A `url` answer names a file stored elsewhere: its name is answered as is.
 */
function replaced(options: {
  files: FileServices;
  uploaded: FileEvent;
  replacement: FileReplacement;
  master: boolean;
}): FileEvent {
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
    name = storedName(files, typed.name);
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
