/**
 * Draws for the files door (issue 19 item 1): uploads and downloads with odd names, types, sizes and Range headers,
 * as a pure function of a seed (graphql-ops.ts's Rng), and the oracle that checks a download byte for byte.
 */
import { Rng } from './graphql-ops.js';
import type { RawRequest } from './http-client.js';

export interface FilesWorld {
  readonly mount: string;
  readonly appId: string;
  /** Files stored before the run, by name, with their bytes (the Range oracle compares slices). */
  readonly known: ReadonlyMap<string, Buffer>;
  readonly maxBody: number;
}

export type FileCaller = 'client' | 'session' | 'master' | 'none' | 'wrongKey';

export interface FileDraw extends RawRequest {
  readonly kind: 'upload' | 'download' | 'head' | 'metadata' | 'delete';
  readonly caller: FileCaller;
  /** For a download of a known file: its name (the oracle checks the bytes). */
  readonly knownName?: string;
  readonly range?: string;
}

const FILE_NAMES = [
  'a.txt',
  'b.png',
  'c',
  'd.html',
  'e.svg',
  '.hidden',
  'x'.repeat(300),
  '..',
  '../../etc/passwd',
  'a/b.txt',
  'a\\b.txt',
  'ünï cødé.txt',
  '\u0000.txt',
  '%2e%2e',
  'CON',
  'a.txt?x=1',
  'a#b',
  ' ',
  '\ud83d\ude00.png',
];
const CONTENT_TYPES = [
  'text/plain',
  'image/png',
  'text/html',
  'application/octet-stream',
  'image/svg+xml',
  'application/json',
  'multipart/form-data; boundary=x',
  'text/plain; charset=utf-8',
  '',
  'x/y; charset=\u0001',
  'a'.repeat(500),
  '*/*',
];

function encodePath(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function rangeHeader(rng: Rng, size: number): string {
  const n = (): number => rng.pick([0, 1, 2, size - 1, size, size + 1, Math.floor(size / 2), 2 ** 53, 99_999_999_999]);
  switch (rng.int(10)) {
    case 0:
      return `bytes=-${n()}`;
    case 1:
      return `bytes=${n()}-`;
    case 2:
      return `bytes=${n()}-${n()},${n()}-${n()}`;
    case 3:
      return rng.pick(['bytes=', 'bytes=-', 'bytes=a-b', 'items=0-1', 'bytes = 0-1', 'bytes=0-1 ', 'bytes=--1', '']);
    case 4:
      return `bytes=${-n()}-${n()}`;
    default:
      return `bytes=${n()}-${n()}`;
  }
}

export function fileRequest(seed: number, world: FilesWorld): FileDraw {
  const rng = new Rng(seed);
  const caller = rng.pick<FileCaller>(['client', 'client', 'session', 'master', 'none', 'wrongKey']);
  const known = [...world.known.keys()];
  const roll = rng.next();
  if (roll < 0.4) {
    const size = rng.pick([
      0,
      1,
      100,
      4096,
      65_536,
      world.maxBody - 1,
      world.maxBody,
      world.maxBody + 1,
      world.maxBody * 2,
    ]);
    const body = Buffer.alloc(size, rng.int(256));
    const type = rng.pick(CONTENT_TYPES);
    const name = rng.chance(0.8) ? rng.pick(FILE_NAMES) : `f${rng.int(1e6)}.${rng.pick(['txt', 'bin', 'js', ''])}`;
    return {
      kind: 'upload',
      caller,
      method: 'POST',
      path: `${world.mount}/files/${encodePath(name)}`,
      headers: { ...(type === '' ? {} : { 'Content-Type': type }) },
      body,
    };
  }
  const name = rng.chance(0.8) ? rng.pick(known) : rng.pick(FILE_NAMES);
  const stored = world.known.get(name);
  if (roll < 0.85) {
    const range = rng.chance(0.8) ? rangeHeader(rng, stored?.length ?? 100) : undefined;
    const head = rng.chance(0.1);
    return {
      kind: head ? 'head' : 'download',
      caller,
      method: head ? 'HEAD' : 'GET',
      path: `${world.mount}/files/${encodePath(world.appId)}/${encodePath(name)}`,
      headers: { ...(range === undefined ? {} : { Range: range }) },
      ...(stored === undefined ? {} : { knownName: name }),
      ...(range === undefined ? {} : { range }),
    };
  }
  if (roll < 0.93) {
    return {
      kind: 'metadata',
      caller,
      method: 'GET',
      path: `${world.mount}/files/${encodePath(world.appId)}/metadata/${encodePath(name)}`,
      headers: {},
    };
  }
  // Deleting a known file is what only the master key may do; the master caller deletes unknown names only,
  // so the download oracle keeps its files.
  const target = caller === 'master' ? `gone-${rng.int(1000)}.txt` : name;
  return {
    kind: 'delete',
    caller,
    method: 'DELETE',
    path: `${world.mount}/files/${encodePath(target)}`,
    headers: {},
    knownName: target,
  };
}

/** Checks a download's answer against the stored bytes; returns what is wrong, or undefined. */
export function checkDownload(
  draw: FileDraw,
  answer: { status: number; bytes?: Buffer; headers?: Readonly<Record<string, string | string[] | undefined>> },
  stored: Buffer,
): string | undefined {
  const bytes = answer.bytes ?? Buffer.alloc(0);
  if (answer.status === 200) {
    if (draw.method === 'GET' && !bytes.equals(stored))
      return `200 but ${bytes.length} bytes differ from the stored ${stored.length}`;
    return undefined;
  }
  if (answer.status === 206) {
    const contentRange = String(answer.headers?.['content-range'] ?? '');
    const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange);
    if (match === null) return `206 with Content-Range "${contentRange}"`;
    const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (total !== stored.length || start > end || end >= total)
      return `206 with an impossible Content-Range ${contentRange}`;
    if (draw.method === 'GET' && !bytes.equals(stored.subarray(start, end + 1)))
      return `206 ${contentRange}: the bytes are not that slice`;
    return undefined;
  }
  if (answer.status === 416 || answer.status === 304) return undefined;
  if (answer.status === 404) return `404 for a stored file`;
  return undefined;
}
