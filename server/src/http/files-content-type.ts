/**
 * File names, extensions and content types for uploads and downloads: which names Parse accepts, which
 * content type a stored file gets, and which types are "active content" a browser would run (stored XSS).
 */
import { ErrorCode, ParseError } from '../errors/index.js';

/** Parse's rule for upload names (rest.md §10.1). */
const FILE_NAME = /^[_a-zA-Z0-9][a-zA-Z0-9@. ~_-]*$/;
const MAX_FILE_NAME = 128;

/** Content types by extension: the common ones, and every active one (so they are recognised as such). */
const TYPES: Readonly<Record<string, string>> = {
  // images
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  heic: 'image/heic',
  heif: 'image/heif',
  bmp: 'image/bmp',
  ico: 'image/vnd.microsoft.icon',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  // audio and video
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/opus',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  ogv: 'video/ogg',
  avi: 'video/x-msvideo',
  mkv: 'video/x-matroska',
  // documents, data and archives
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  md: 'text/markdown',
  json: 'application/json',
  rtf: 'application/rtf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  '7z': 'application/x-7z-compressed',
  bin: 'application/octet-stream',
  wasm: 'application/wasm',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  css: 'text/css',
  // active content: a browser renders or runs these when opened from our origin
  html: 'text/html',
  htm: 'text/html',
  shtml: 'text/html',
  xhtml: 'application/xhtml+xml',
  xht: 'application/xhtml+xml',
  svg: 'image/svg+xml',
  svgz: 'image/svg+xml',
  xml: 'application/xml',
  xsl: 'application/xslt+xml',
  xslt: 'application/xslt+xml',
  xsd: 'application/xml',
  rng: 'application/xml',
  rdf: 'application/rdf+xml',
  owl: 'application/rdf+xml',
  mathml: 'application/mathml+xml',
  mml: 'application/mathml+xml',
  js: 'text/javascript',
  mjs: 'text/javascript',
  cjs: 'text/javascript',
  swf: 'application/x-shockwave-flash',
};

/** Parse's default-blocked extensions (HTML, SVG and the XML family) plus scripts and Flash. */
const ACTIVE_EXTENSIONS: ReadonlySet<string> = new Set([
  'html',
  'htm',
  'shtml',
  'xhtml',
  'xht',
  'svg',
  'svgz',
  'xml',
  'xsl',
  'xslt',
  'xsd',
  'rng',
  'rdf',
  'owl',
  'mathml',
  'mml',
  'js',
  'mjs',
  'cjs',
  'swf',
]);

const ACTIVE_TYPES: ReadonlySet<string> = new Set([
  'text/html',
  'text/xml',
  'text/xsl',
  'text/javascript',
  'text/ecmascript',
  'application/javascript',
  'application/ecmascript',
  'application/x-javascript',
  'application/x-shockwave-flash',
  'multipart/x-mixed-replace',
]);

/** The media type without parameters, lower-cased: `Text/HTML; charset=utf-8` → `text/html`. */
function essence(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Whether a browser would render or run content of this type (every `+xml` type included). */
export function isActiveContentType(contentType: string): boolean {
  const type = essence(contentType);
  return ACTIVE_TYPES.has(type) || type.endsWith('+xml') || type.endsWith('/xml');
}

/** The lower-cased extension of a name (`photo.JPG` → `jpg`), or undefined when it has none. */
export function extensionOf(name: string): string | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1) return undefined;
  return base.slice(dot + 1).toLowerCase();
}

/** The content type of a known extension. */
export function contentTypeForExtension(extension: string | undefined): string | undefined {
  return extension === undefined ? undefined : TYPES[extension];
}

/** The extension Parse appends to a name without one, from the upload's content type. */
function extensionForContentType(contentType: string): string | undefined {
  const type = essence(contentType);
  for (const [extension, known] of Object.entries(TYPES)) if (known === type) return extension;
  return undefined;
}

/** 122 unless `name` is an upload name Parse accepts: no path, no control characters, ≤ 128 characters. */
export function checkUploadName(name: string): void {
  if (name.length === 0) throw new ParseError(ErrorCode.INVALID_FILE_NAME, { message: 'Filename not provided.' });
  if (name.length > MAX_FILE_NAME) throw new ParseError(ErrorCode.INVALID_FILE_NAME, { message: 'Filename too long.' });
  if (!FILE_NAME.test(name)) {
    throw new ParseError(ErrorCode.INVALID_FILE_NAME, { message: 'Filename contains invalid characters.' });
  }
}

/** Whether a stored name may be served: the upload rule, or a longer stored name of the same characters. */
export function isServableName(name: string): boolean {
  return name.length <= 512 && FILE_NAME.test(name);
}

export interface UploadTypeOptions {
  readonly name: string;
  /** The client's Content-Type (header or `_ContentType`). */
  readonly contentType: string | undefined;
  /** Lower-case extensions allowed; `*` any; undefined: any except active content. */
  readonly allowedExtensions: readonly string[] | undefined;
  /** The master key skips the extension policy, as in Parse. */
  readonly master: boolean;
}

/**
 * Decides an upload's final name and stored content type, refusing forbidden content with 130.
 *
 * The stored type comes from the extension whenever the extension is known (a `text/html` body named
 * `.png` is stored and served as `image/png`, and `nosniff` keeps browsers from second-guessing it). A
 * name without an extension gets one appended from a known content type, as Parse does. The client's type
 * is only kept for unknown extensions, and then it is checked like an extension: active content is refused
 * unless allowed.
 */
export function resolveUploadType(options: UploadTypeOptions): { name: string; contentType: string | undefined } {
  const { contentType, master } = options;
  let name = options.name;
  let extension = extensionOf(name);
  if (extension === undefined && contentType !== undefined) {
    const appended = extensionForContentType(contentType);
    if (appended !== undefined) {
      name = `${name}.${appended}`;
      extension = appended;
    }
  }
  const known = contentTypeForExtension(extension);
  const stored = known ?? (contentType === undefined || contentType.trim() === '' ? undefined : contentType.trim());
  if (!master) checkAllowed({ extension, contentType: stored, allowed: options.allowedExtensions });
  return { name, contentType: stored };
}

function checkAllowed(options: {
  extension: string | undefined;
  contentType: string | undefined;
  allowed: readonly string[] | undefined;
}): void {
  const { extension, contentType, allowed } = options;
  if (allowed?.includes('*') === true) return;
  if (allowed !== undefined) {
    if (extension !== undefined && allowed.includes(extension)) return;
    throw refused(extension ?? essence(contentType ?? 'unknown'));
  }
  if (extension !== undefined && ACTIVE_EXTENSIONS.has(extension)) throw refused(extension);
  if (contentType !== undefined && isActiveContentType(contentType)) throw refused(essence(contentType));
}

function refused(what: string): ParseError {
  return new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: `File upload of extension ${what} is disabled.` });
}
