/**
 * Helpers for the files API tests: raw uploads over `node:http` (streamed, abortable), downloads hashed
 * as they stream, generated content that is never held whole, and listings of what a store holds.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { APP_ID, CLIENT_KEY, MASTER_KEY } from '../testing/test-server.test-util.js';

export interface RawResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json: Record<string, unknown>;
}

export interface UploadOptions {
  mountURL: string;
  name: string;
  /** Bytes, or a generator of chunks (sent chunked, without Content-Length). */
  body: Uint8Array | AsyncIterable<Uint8Array>;
  contentType?: string;
  master?: boolean;
  sessionToken?: string;
  headers?: Record<string, string>;
  /** Destroy the request after this many body bytes were written. */
  abortAfter?: number;
}

/** Credentials as the iOS/Android SDKs send them. */
export function credentialHeaders(options: { master?: boolean; sessionToken?: string }): Record<string, string> {
  return {
    'X-Parse-Application-Id': APP_ID,
    ...(options.master === true ? { 'X-Parse-Master-Key': MASTER_KEY } : { 'X-Parse-REST-API-Key': CLIENT_KEY }),
    ...(options.sessionToken === undefined ? {} : { 'X-Parse-Session-Token': options.sessionToken }),
  };
}

/** `POST /files/<name>` with a raw body, streamed with backpressure. */
export function uploadRaw(options: UploadOptions): Promise<RawResult> {
  const url = new URL(`${options.mountURL}/files/${options.name}`);
  const fixed = options.body instanceof Uint8Array ? options.body : undefined;
  const headers: Record<string, string> = {
    ...credentialHeaders(options),
    ...(options.contentType === undefined ? {} : { 'Content-Type': options.contentType }),
    ...(fixed === undefined ? {} : { 'Content-Length': String(fixed.length) }),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      void collect(res).then((body) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: parse(body) }),
      );
    });
    let sent = 0;
    let aborted = false;
    req.on('error', (err) => {
      if (aborted) resolve({ status: 0, headers: {}, body: Buffer.alloc(0), json: {} });
      else reject(err);
    });
    const write = async (): Promise<void> => {
      const chunks: AsyncIterable<Uint8Array> | Uint8Array[] =
        fixed === undefined ? (options.body as AsyncIterable<Uint8Array>) : [fixed];
      for await (const chunk of chunks) {
        if (req.destroyed) return;
        if (options.abortAfter !== undefined && sent + chunk.length > options.abortAfter) {
          aborted = true;
          req.destroy();
          return;
        }
        sent += chunk.length;
        if (!req.write(chunk)) {
          await new Promise<void>((done) => {
            const finish = (): void => {
              req.off('drain', finish);
              req.off('close', finish);
              done();
            };
            req.once('drain', finish);
            req.once('close', finish);
          });
        }
      }
      req.end();
    };
    write().catch(reject);
  });
}

export interface DownloadResult {
  status: number;
  headers: IncomingHttpHeaders;
  size: number;
  sha256: string;
  /** The first 64 KiB, for small files and error bodies. */
  head: Buffer;
}

/** GET (or HEAD) a URL, hashing the body as it streams. */
export function download(
  url: string,
  options: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> } = {},
): Promise<DownloadResult> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(url), { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const hash = createHash('sha256');
      const head: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        if (size < 65536) head.push(chunk.subarray(0, 65536 - size));
        size += chunk.length;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          size,
          sha256: hash.digest('hex'),
          head: Buffer.concat(head),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `total` random bytes in 1 MiB chunks, never held whole; the sha256 of what was generated is known after. */
export function generated(total: number): { chunks: AsyncIterable<Uint8Array>; digest: () => string } {
  const hash = createHash('sha256');
  async function* chunks(): AsyncIterable<Uint8Array> {
    let sent = 0;
    while (sent < total) {
      const chunk = randomFillSync(Buffer.allocUnsafe(Math.min(1024 * 1024, total - sent)));
      hash.update(chunk);
      sent += chunk.length;
      yield chunk;
    }
  }
  return { chunks: chunks(), digest: () => hash.digest('hex') };
}

/** Every file under `dir`, recursively (relative paths), including a store's hidden temp files. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (sub: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(dir, sub), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else out.push(path);
    }
  };
  await walk('');
  return out.sort();
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function parse(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
