/**
 * File names, extensions, content types and metadata for uploads and downloads: which names Parse accepts,
 * which content type a stored file gets, which types are "active content" a browser would run (stored
 * XSS), and what file metadata and tags may hold.
 */
import { ErrorCode, ParseError } from '../errors/index.js';
import { contentTypeForExtension, extensionForContentType, extensionOf, mediaTypeEssence } from '../files/index.js';

/** Parse's rule for upload names (rest.md §10.1). */
const FILE_NAME = /^[_a-zA-Z0-9][a-zA-Z0-9@. ~_-]*$/;
const MAX_FILE_NAME = 128;

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

/** Whether a browser would render or run content of this type (every `+xml` type included). */
export function isActiveContentType(contentType: string): boolean {
  const type = mediaTypeEssence(contentType);
  return ACTIVE_TYPES.has(type) || type.endsWith('+xml') || type.endsWith('/xml');
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
    throw refused(extension ?? mediaTypeEssence(contentType ?? 'unknown'));
  }
  if (extension !== undefined && ACTIVE_EXTENSIONS.has(extension)) throw refused(extension);
  if (contentType !== undefined && isActiveContentType(contentType)) throw refused(mediaTypeEssence(contentType));
}

function refused(what: string): ParseError {
  return new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: `File upload of extension ${what} is disabled.` });
}

const MAX_METADATA_KEYS = 64;
const MAX_METADATA_TEXT = 1024;
const PROHIBITED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

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
