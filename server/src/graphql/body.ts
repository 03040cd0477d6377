import type { IncomingMessage } from 'node:http';
import { ErrorCode, ParseError } from '../errors/index.js';

/** Reads a request body into memory, refusing (413) past `limit` bytes without reading the rest. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw tooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge(): ParseError {
  return new ParseError(ErrorCode.OBJECT_TOO_LARGE, { message: 'The request body is too large.', httpStatus: 413 });
}
