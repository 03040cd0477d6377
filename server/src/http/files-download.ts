/**
 * File downloads, `GET|HEAD /files/:appId/:name` and `GET /files/:appId/metadata/:name` (rest.md §10.2-3).
 * Not an API route: browsers load these from `<img src>` and `<video src>` without Parse headers. Streams
 * the stored bytes with validators (ETag, Last-Modified), conditional requests (304) and single byte
 * ranges (206 / 416) so audio and video can seek; never buffers a file.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isActiveContentType } from '../core/index.js';
import type { Core } from '../core/index.js';
import { contentTypeForName, type StoredFileInfo } from '../files/index.js';
import type { Logger } from '../infra/index.js';
import { ErrorCode, ParseError, unauthorized } from '../errors/index.js';
import { parseQueryString } from './params.js';
import { sendError, sendJson } from './send.js';

export interface DownloadOptions {
  readonly appId: string;
  readonly core: Core;
}

/** Serves `url` (relative to the mount, starting `/files/`); answers 404 for anything that is no file. */
export async function serveFileDownload(
  options: DownloadOptions,
  http: { req: IncomingMessage; res: ServerResponse; url: string; log: Logger },
): Promise<void> {
  const { req, res, url, log } = http;
  try {
    const queryAt = url.indexOf('?');
    const segments = (queryAt === -1 ? url : url.slice(0, queryAt)).split('/').filter((s) => s.length > 0);
    const query = queryAt === -1 ? {} : parseQueryString(url.slice(queryAt + 1));
    const token = typeof query['token'] === 'string' ? query['token'] : undefined;
    const metadata = segments.length === 4 && segments[2] === 'metadata';
    if (segments[0] !== 'files' || (segments.length !== 3 && !metadata)) throw notFound();
    if (decode(segments[1] ?? '') !== options.appId) throw unauthorized();
    const name = decode(segments[segments.length - 1] ?? '');
    if (name === undefined) throw notFound();
    // The name rules (a name no file can have is not found) and the signed-URL token are core's.
    const info = await options.core.files.open({ name, token });
    if (metadata) {
      // parse-server: `{"metadata": {...}}` for a stored file, even when its metadata is empty; `{}` when missing.
      sendJson(res, { body: info === undefined ? {} : { metadata: info.metadata } });
      return;
    }
    if (info === undefined) throw notFound();
    await sendFile({ core: options.core, info, req, res });
  } catch (err) {
    if (res.headersSent) {
      // The bytes already started: all that is left is to cut the connection so the client sees it failed.
      log.warn({ err }, 'file download failed midway');
      res.destroy();
      return;
    }
    sendError({ res, err, log });
  }
}

async function sendFile(options: {
  core: Core;
  info: StoredFileInfo;
  req: IncomingMessage;
  res: ServerResponse;
}): Promise<void> {
  const { core, info, req, res } = options;
  const contentType = info.contentType ?? contentTypeForName(info.name) ?? 'application/octet-stream';
  res.setHeader('Content-Type', contentType);
  res.setHeader('ETag', info.etag);
  res.setHeader('Last-Modified', info.lastModified.toUTCString());
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (isActiveContentType(contentType)) {
    // Stored active content (allowed by configuration, or written by parse-server) must never run on our
    // origin: download it instead of rendering it, and sandbox it if a browser renders it anyway.
    res.setHeader('Content-Disposition', `attachment; filename="${info.name.replace(/["\\]/g, '_')}"`);
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  }
  if (notModified(req, info)) {
    res.removeHeader('Content-Type');
    res.statusCode = 304;
    res.end();
    return;
  }
  const range = requestedRange(req, info);
  if (range === 'unsatisfiable') {
    res.statusCode = 416;
    res.setHeader('Content-Range', `bytes */${info.size}`);
    res.setHeader('Content-Length', 0);
    res.end();
    return;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? info.size - 1;
  res.statusCode = range === undefined ? 200 : 206;
  if (range !== undefined) res.setHeader('Content-Range', `bytes ${start}-${end}/${info.size}`);
  res.setHeader('Content-Length', Math.max(0, end - start + 1));
  if (req.method === 'HEAD' || info.size === 0) {
    res.end();
    return;
  }
  const body = await core.files.read(range === undefined ? { name: info.name } : { name: info.name, start, end });
  if (body === undefined) throw notFound();
  await pipeline(Readable.from(body, { objectMode: false }), res);
}

/** `If-None-Match` (weak comparison, `*`), else `If-Modified-Since` (one-second resolution). */
function notModified(req: IncomingMessage, info: StoredFileInfo): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string') {
    const tags = ifNoneMatch.split(',').map((tag) => tag.trim());
    return tags.includes('*') || tags.some((tag) => weak(tag) === weak(info.etag));
  }
  const since = req.headers['if-modified-since'];
  if (typeof since !== 'string') return false;
  const date = Date.parse(since);
  return !Number.isNaN(date) && Math.floor(info.lastModified.getTime() / 1000) <= Math.floor(date / 1000);
}

function weak(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/**
 * One `bytes=` range (`a-b`, `a-`, `-n`), or undefined to send the whole file: no Range, an `If-Range`
 * that no longer matches, several ranges (answered whole, which HTTP allows) or a malformed header
 * (ignored, as HTTP says).
 */
function requestedRange(
  req: IncomingMessage,
  info: StoredFileInfo,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const header = req.headers['range'];
  if (typeof header !== 'string') return undefined;
  const ifRange = req.headers['if-range'];
  if (typeof ifRange === 'string' && !ifRangeMatches(ifRange, info)) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  const size = info.size;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** `If-Range` holds a strong ETag or an HTTP date; the range applies only while it still matches. */
function ifRangeMatches(value: string, info: StoredFileInfo): boolean {
  if (value.startsWith('"') || value.startsWith('W/')) return value === info.etag;
  const date = Date.parse(value);
  return !Number.isNaN(date) && Math.floor(info.lastModified.getTime() / 1000) <= Math.floor(date / 1000);
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function notFound(): ParseError {
  return new ParseError(ErrorCode.OBJECT_NOT_FOUND, { message: 'File not found.' });
}
