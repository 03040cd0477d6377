/**
 * Reads a file upload in either of Parse's encodings (rest.md §10.1): the raw body (REST, iOS, Android,
 * the JS SDK's `X-Parse-Upload-Mode: stream`), streamed with the size limit enforced chunk by chunk, or
 * the JS SDK's JSON form (`base64`, `fileData`, `_ContentType`), whose body was already read within a limit.
 */
import type { IncomingMessage } from 'node:http';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { ApiRequest } from './api-types.js';

export interface UploadBody {
  readonly source: AsyncIterable<Uint8Array>;
  /** The client's Content-Type (header or `_ContentType`). */
  readonly contentType: string | undefined;
  readonly metadata: Record<string, string>;
  readonly tags: Record<string, string>;
  /** `X-Parse-File-Directory` / `fileData.directory`, when sent. */
  readonly directory: string | undefined;
  /** The size limit for this upload (the master key may raise it with `X-Parse-File-Max-Upload-Size`). */
  readonly maxBytes: number;
  /** Aborted when the client goes away before the body is complete. */
  readonly signal: AbortSignal | undefined;
  /** The size known before the body is read: a raw body's Content-Length, or the decoded JSON form's. */
  readonly declaredSize: number | undefined;
}

const MAX_METADATA_KEYS = 64;
const MAX_METADATA_TEXT = 1024;
const PROHIBITED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Decodes the upload of `request`; `master` allows the per-upload size override. */
export function readUploadBody(request: ApiRequest, options: { maxUploadSize: number; master: boolean }): UploadBody {
  return request.rawBody === undefined
    ? jsonUpload(request, options.maxUploadSize)
    : rawUpload(request.rawBody, options);
}

function rawUpload(req: IncomingMessage, options: { maxUploadSize: number; master: boolean }): UploadBody {
  const header = (name: string): string | undefined => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const override = header('x-parse-file-max-upload-size');
  if (override !== undefined && !options.master) {
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, {
      message: 'X-Parse-File-Max-Upload-Size requires the master key.',
    });
  }
  const maxBytes = override === undefined ? options.maxUploadSize : parseSize(override);
  const stream = header('x-parse-upload-mode')?.toLowerCase() === 'stream';
  const tooLarge = (): ParseError => sizeError({ maxBytes, stream });
  const declared = Number(header('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge();
  const controller = new AbortController();
  req.once('close', () => {
    if (!req.complete) controller.abort(new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'Upload aborted.' }));
  });
  return {
    source: limited(req, { maxBytes, tooLarge }),
    contentType: header('content-type'),
    metadata: parseStringMap({ raw: header('x-parse-file-metadata'), what: 'metadata' }),
    tags: parseStringMap({ raw: header('x-parse-file-tags'), what: 'tags' }),
    directory: header('x-parse-file-directory'),
    maxBytes,
    signal: controller.signal,
    declaredSize: Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined,
  };
}

/**
 * The body's chunks, failing with 413 once more than `maxBytes` arrived. It never destroys the request
 * when the store stops early, so the refusal can still be answered on the same connection.
 */
async function* limited(
  req: IncomingMessage,
  options: { maxBytes: number; tooLarge: () => ParseError },
): AsyncIterable<Uint8Array> {
  let size = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > options.maxBytes) throw options.tooLarge();
    yield chunk;
  }
}

function jsonUpload(request: ApiRequest, maxUploadSize: number): UploadBody {
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
  if (bytes.length > maxUploadSize) throw sizeError({ maxBytes: maxUploadSize, stream: false });
  const directory = record['directory'];
  if (directory !== undefined && typeof directory !== 'string') {
    throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'Invalid file directory.' });
  }
  return {
    source: once(bytes),
    contentType: request.contentType,
    metadata: toStringMap({ value: record['metadata'], what: 'metadata' }),
    tags: toStringMap({ value: record['tags'], what: 'tags' }),
    directory,
    maxBytes: maxUploadSize,
    signal: undefined,
    declaredSize: bytes.length,
  };
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/**
 * 413 in every mode; the code is Parse's for the mode: 130 for the JS SDK's stream mode (parse-server
 * checks the size itself there), 116 for a raw or JSON body (what a body over the limit answers elsewhere).
 */
function sizeError(options: { maxBytes: number; stream: boolean }): ParseError {
  const message = `File size exceeds maximum allowed file size of ${options.maxBytes} bytes.`;
  return new ParseError(options.stream ? ErrorCode.FILE_SAVE_ERROR : ErrorCode.OBJECT_TOO_LARGE, {
    message,
    httpStatus: 413,
  });
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

function parseStringMap(options: { raw: string | undefined; what: string }): Record<string, string> {
  if (options.raw === undefined || options.raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(options.raw);
  } catch {
    throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: `Invalid file ${options.what}: not JSON.` });
  }
  return toStringMap({ value, what: options.what });
}

/**
 * File metadata and tags: a flat JSON object whose values are strings (numbers and booleans are kept as
 * their text). Prototype keys are refused (105) like everywhere else; sizes are bounded.
 */
export function toStringMap(options: { value: unknown; what: string }): Record<string, string> {
  const { value, what } = options;
  if (value === undefined || value === null) return {};
  const invalid = (detail: string): ParseError =>
    new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: `Invalid file ${what}: ${detail}` });
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('expected an object.');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_METADATA_KEYS) throw invalid(`more than ${MAX_METADATA_KEYS} keys.`);
  const out: Array<[string, string]> = [];
  for (const [key, item] of entries) {
    if (PROHIBITED_KEYS.has(key)) {
      throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Prohibited keyword in request data: ${key}.` });
    }
    if (key.length === 0 || key.length > MAX_METADATA_TEXT || key.startsWith('$') || key.includes('.')) {
      throw invalid(`bad key ${JSON.stringify(key.slice(0, 64))}.`);
    }
    const text =
      typeof item === 'string'
        ? item
        : typeof item === 'number' || typeof item === 'boolean'
          ? String(item)
          : undefined;
    if (text === undefined) throw invalid(`the value of ${key} is not a string.`);
    if (text.length > MAX_METADATA_TEXT) throw invalid(`the value of ${key} is too long.`);
    out.push([key, text]);
  }
  return Object.fromEntries(out);
}
