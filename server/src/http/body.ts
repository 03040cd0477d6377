import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, ParseError } from '../errors/index.js';
import { assertAllowedKey } from '../schema/index.js';

/**
 * Reads a request body with a size limit enforced while streaming (a lying or missing Content-Length
 * cannot get past it) and parses it as JSON whatever its Content-Type, as Parse does (rest.md §1.4):
 * the JS SDK sends `text/plain`. Malformed JSON → 400 code 107; too large → 413.
 */
export async function readJsonBody(
  request: IncomingMessage,
  options: { limit: number },
): Promise<Record<string, unknown>> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > options.limit) throw tooLarge(options.limit);
  if (declared === 0) return {};
  // Mounted in an express app whose body parser (`express.json()`, `express.text()`) ran first: the stream is
  // spent and the parser's result sits on `req.body`. Waiting for the stream would hang.
  if (request.readableEnded) return alreadyRead((request as { body?: unknown }).body, options.limit);
  const raw = await readRaw(request, options.limit);
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    // V8 also lands here (RangeError) for bodies nested too deeply to parse.
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'Invalid JSON in the request body.', cause: err });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'The request body must be a JSON object.' });
  }
  return parsed as Record<string, unknown>;
}

/** True for a `multipart/form-data` Content-Type (any case, with its boundary parameter). */
export function isMultipart(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*multipart\/form-data\s*(;|$)/i.test(contentType);
}

/** A file part of a multipart body, as Parse 9 hands it to a cloud function (rest.md §11). */
export interface MultipartFile {
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
}

/**
 * Reads a `multipart/form-data` body (Parse 9 accepts it on `POST /functions/:name` only) with the same
 * streaming size limit as JSON: each text part becomes a string param, each file part
 * `{filename, contentType, data: Buffer}`; a repeated name keeps its last part. The parsing is the runtime's
 * own (the fetch API's `formData()`); a body it cannot parse → 107.
 */
export async function readMultipartBody(
  request: IncomingMessage,
  options: { limit: number; contentType: string },
): Promise<Record<string, unknown>> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > options.limit) throw tooLarge(options.limit);
  const raw = await readRaw(request, options.limit);
  let form: FormData;
  try {
    const bytes = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer;
    form = await new Response(bytes, { headers: { 'Content-Type': options.contentType } }).formData();
  } catch (err) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'Invalid multipart/form-data body.', cause: err });
  }
  const parts: Array<[string, string | (Blob & { readonly name: string })]> = [];
  form.forEach((value, name) => parts.push([name, value]));
  const params: Record<string, unknown> = {};
  for (const [name, value] of parts) {
    // A part named `__proto__` would set this object's prototype: refused like the same JSON key.
    assertAllowedKey(name, value);
    params[name] =
      typeof value === 'string'
        ? value
        : ({
            filename: value.name,
            contentType: value.type,
            data: Buffer.from(await value.arrayBuffer()),
          } satisfies MultipartFile);
  }
  return params;
}

function alreadyRead(body: unknown, limit: number): Record<string, unknown> {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (Buffer.byteLength(text) > limit) throw tooLarge(limit);
    if (text.length === 0) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new ParseError(ErrorCode.INVALID_JSON, { message: 'Invalid JSON in the request body.', cause: err });
    }
    return alreadyRead(parsed, limit);
  }
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'The request body must be a JSON object.' });
  }
  // A copy: credentials and `_method` are deleted from the body later, and the app may still read its own.
  return { ...(body as Record<string, unknown>) };
}

function readRaw(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        // Keep reading (and dropping) the rest so the 413 can be delivered on this connection.
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    request.on('error', (err) => {
      if (!failed) {
        failed = true;
        reject(new ParseError(ErrorCode.INVALID_JSON, { message: 'The request body could not be read.', cause: err }));
      }
    });
  });
}

function tooLarge(limit: number): ParseError {
  return new ParseError(ErrorCode.OBJECT_TOO_LARGE, {
    message: `The request body is larger than the limit of ${limit} bytes.`,
    httpStatus: 413,
  });
}

/** Bytes of an unwanted upload still read (and dropped) after the refusal, so the client sees the answer. */
const DISCARD_LIMIT = 4 * 1024 * 1024;

/**
 * For a request refused while its body is still arriving (an upload over the size limit, or not allowed): the
 * rest of the body is read and dropped, up to a few megabytes, so the client, or a gateway still streaming
 * the body, reads the answer instead of a reset; past that the socket is cut. A body declared within that
 * budget keeps the connection open until it has arrived (closing at once resets a sender that is still
 * writing, and the answer is lost: nginx then reports a 502); a larger or chunked one is answered with
 * `Connection: close`.
 */
export function discardUnreadBody(request: IncomingMessage, response: ServerResponse): void {
  const declared = Number(request.headers['content-length'] ?? NaN);
  const drainable = Number.isSafeInteger(declared) && declared <= DISCARD_LIMIT;
  if (!response.headersSent && !drainable) response.setHeader('Connection', 'close');
  let dropped = 0;
  request.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_LIMIT) request.socket.destroy();
  });
  request.on('error', () => undefined);
  request.resume();
}
