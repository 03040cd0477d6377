/**
 * Decodes a file upload in either of Parse's encodings (rest.md §10.1): the raw body (REST, iOS, Android,
 * the JS SDK's `X-Parse-Upload-Mode: stream`), handed to core as a stream it reads only once the upload is
 * allowed, or the JS SDK's JSON form (`base64`, `fileData`, `_ContentType`), whose body was already read
 * within a limit. Only decoding: the size limits, name rules and policies are core's (`core.files.upload`).
 */
import type { IncomingMessage } from 'node:http';
import type { FileUpload } from '../core/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { ApiRequest } from './api-types.js';

/** Decodes the upload of `request`. */
export function readUploadBody(request: ApiRequest): FileUpload {
  return request.rawBody === undefined ? jsonUpload(request) : rawUpload(request.rawBody);
}

function rawUpload(req: IncomingMessage): FileUpload {
  const header = (name: string): string | undefined => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const override = header('x-parse-file-max-upload-size');
  const declared = Number(header('content-length') ?? NaN);
  const controller = new AbortController();
  req.once('close', () => {
    if (!req.complete) controller.abort(new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'Upload aborted.' }));
  });
  return {
    // Never destroys the request when core stops early, so a refusal can still be answered on the connection.
    source: req.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>,
    contentType: header('content-type'),
    metadata: parseJSONHeader({ raw: header('x-parse-file-metadata'), what: 'metadata' }),
    tags: parseJSONHeader({ raw: header('x-parse-file-tags'), what: 'tags' }),
    directory: header('x-parse-file-directory'),
    declaredSize: Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined,
    ...(override === undefined ? {} : { requestedMaxBytes: parseSize(override) }),
    streamMode: header('x-parse-upload-mode')?.toLowerCase() === 'stream',
    signal: controller.signal,
  };
}

function jsonUpload(request: ApiRequest): FileUpload {
  const { base64, fileData } = request.body;
  if (typeof base64 !== 'string') {
    throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'Invalid file upload.' });
  }
  const data = fileData === undefined || fileData === null ? {} : fileData;
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'Invalid fileData.' });
  }
  const record = data as Record<string, unknown>;
  // Older SDKs may send a data URL; only the part after the comma is the file.
  const comma = base64.startsWith('data:') ? base64.indexOf(',') : -1;
  const bytes = Buffer.from(comma === -1 ? base64 : base64.slice(comma + 1), 'base64');
  const directory = record['directory'];
  if (directory !== undefined && typeof directory !== 'string') {
    throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'Invalid file directory.' });
  }
  return {
    source: once(bytes),
    contentType: request.contentType,
    metadata: record['metadata'],
    tags: record['tags'],
    directory,
    declaredSize: bytes.length,
    streamMode: false,
  };
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `X-Parse-File-Max-Upload-Size`: `50mb`, `1gb`, `512kb` or a number of bytes. */
function parseSize(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
  const unit = SIZE_UNITS[(match?.[2] ?? 'b').toLowerCase()];
  const bytes = match && unit ? Math.floor(Number(match[1]) * unit) : 0;
  if (bytes <= 0) {
    throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: `Invalid X-Parse-File-Max-Upload-Size: ${raw}` });
  }
  return bytes;
}

/** `X-Parse-File-Metadata` / `-Tags`: JSON text; what it holds is checked by core. */
function parseJSONHeader(options: { raw: string | undefined; what: string }): unknown {
  if (options.raw === undefined || options.raw.trim() === '') return undefined;
  try {
    return JSON.parse(options.raw) as unknown;
  } catch {
    throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: `Invalid file ${options.what}: not JSON.` });
  }
}
