import type { Auth } from '../auth/index.js';
import { FILE_TRIGGER_CLASS } from '../cloud/index.js';
import type { CloudFileJSON, FileSaveResult } from '../cloud/index.js';
import { ErrorCode } from '../errors/index.js';
import type { CoreDeps } from './deps.js';
import { hookCaller, hooksFor } from './hook-caller.js';
import type { RequestOrigin } from './hook-caller.js';

export interface FileTriggerRequest {
  readonly triggerName: 'beforeSave' | 'afterSave' | 'beforeDelete' | 'afterDelete';
  readonly auth: Auth;
  readonly file: {
    readonly name: string;
    readonly contentType?: string;
    readonly size?: number;
    readonly metadata: Readonly<Record<string, string>>;
    readonly tags: Readonly<Record<string, string>>;
    /** Once stored (afterSave) or when it exists (deletes). */
    readonly url?: string;
  };
  readonly origin?: RequestOrigin;
}

/**
 * The `Parse.File` triggers around an upload or a delete (spec/cloud.md §2, class `@File`): the file as
 * `{className: "@File", name, contentType, size, metadata, tags, url}`, the caller with the request's ip,
 * headers, context and logger. A before-trigger refuses by throwing; a thrown string or `Error` answers 130
 * (save) or 153 (delete) with its message. A beforeSave may answer the file to store instead.
 */
export async function runFileTrigger(
  deps: CoreDeps,
  request: FileTriggerRequest,
): Promise<FileSaveResult['file'] | undefined> {
  const runner = hooksFor(deps, FILE_TRIGGER_CLASS);
  if (runner === undefined || !runner.has(request.triggerName, FILE_TRIGGER_CLASS)) return undefined;
  const { file } = request;
  const object: CloudFileJSON = {
    className: FILE_TRIGGER_CLASS,
    name: file.name,
    ...(file.contentType === undefined ? {} : { contentType: file.contentType }),
    ...(file.size === undefined ? {} : { size: file.size }),
    metadata: { ...file.metadata },
    tags: { ...file.tags },
    ...(file.url === undefined ? {} : { url: file.url }),
  };
  const saving = request.triggerName === 'beforeSave' || request.triggerName === 'afterSave';
  return runner.fileTrigger(request.triggerName, {
    caller: await hookCaller(deps, { auth: request.auth, origin: request.origin }),
    object,
    errorCode: saving ? ErrorCode.FILE_SAVE_ERROR : ErrorCode.FILE_DELETE_ERROR,
    errorMessage: saving ? `Could not store file: ${file.name}.` : `Could not delete file: ${file.name}.`,
  });
}
