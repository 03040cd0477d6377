/**
 * Content types by file extension: the one table for stores (files saved without a type, as parse-server's
 * GridFS files are: it derives one from the name when serving) and for the files route (the type an upload
 * is stored with, and the extension appended to a name without one). Common web, media and document types,
 * and every "active" type a browser would render or run, so the route recognises those. Unknown extensions
 * give `undefined`; the caller decides the fallback.
 */
const BY_EXTENSION: Readonly<Record<string, string>> = {
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

/** The media type without parameters, lower-cased: `Text/HTML; charset=utf-8` → `text/html`. */
export function mediaTypeEssence(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** The lower-cased extension of a name (`photo.JPG` → `jpg`), or undefined when it has none. */
export function extensionOf(name: string): string | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1) return undefined;
  return base.slice(dot + 1).toLowerCase();
}

/** The content type of a known (lower-case) extension, or `undefined`. */
export function contentTypeForExtension(extension: string | undefined): string | undefined {
  // hasOwn: an extension such as `constructor` must not find Object.prototype's members.
  return extension !== undefined && Object.hasOwn(BY_EXTENSION, extension) ? BY_EXTENSION[extension] : undefined;
}

/** The content type for `name`'s extension (case-insensitive), or `undefined` when unknown. */
export function contentTypeForName(name: string): string | undefined {
  return contentTypeForExtension(extensionOf(name));
}

/** The first extension in the table with this content type (parameters and case ignored), or `undefined`. */
export function extensionForContentType(contentType: string): string | undefined {
  const type = mediaTypeEssence(contentType);
  for (const [extension, known] of Object.entries(BY_EXTENSION)) if (known === type) return extension;
  return undefined;
}
