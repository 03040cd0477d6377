import { call } from './transport.js';
import type { CallOptions, TransportContext } from './transport.js';
import type { StrataFile } from './types.js';

/**
 * `client.files`: upload bytes (Blob, Uint8Array, ArrayBuffer, string or a ReadableStream) to
 * `POST /files/<name>`, delete them (master key) and build their download URL. The returned file can be
 * stored in an object field as is.
 */

export type FileData = Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array> | string;

export interface UploadOptions extends CallOptions {
  /** MIME type; defaults to the Blob's type, `text/plain` for strings, else the server infers it from the name. */
  readonly contentType?: string;
}

/** An uploaded file: `name` is the stored name (the server prefixes a random id), `url` where to fetch it. */
export type UploadedFile = StrataFile & { readonly url: string };

export interface Files {
  /** @example const photo = await client.files.upload('cat.jpg', blob); await pets.update(id, { photo }); */
  upload(name: string, data: FileData, options?: UploadOptions): Promise<UploadedFile>;
  /** Deletes a stored file (needs the master key). */
  delete(file: string | StrataFile, options?: CallOptions): Promise<void>;
  /** Where a file can be downloaded (e.g. an `<img src>`). */
  url(file: string | StrataFile): string;
}

/**
 * Whether `fetch` can send a ReadableStream body over HTTP/1.1: Node's fetch can; browsers need HTTP/2
 * for it and React Native cannot, so there the stream is read into memory first.
 */
function canStreamUploads(): boolean {
  if (typeof document !== 'undefined' || typeof Request === 'undefined' || typeof ReadableStream === 'undefined') {
    return false;
  }
  try {
    let duplexRead = false;
    const probe = new Request('http://localhost/', {
      method: 'POST',
      body: new ReadableStream(),
      get duplex() {
        duplexRead = true;
        return 'half';
      },
    } as RequestInit);
    return duplexRead && !probe.headers.has('Content-Type');
  } catch {
    return false;
  }
}

function isStream(data: FileData): data is ReadableStream<Uint8Array> {
  return typeof ReadableStream !== 'undefined' && data instanceof ReadableStream;
}

export function createFiles(transport: TransportContext): Files {
  const { options } = transport;
  const nameOf = (file: string | StrataFile): string => (typeof file === 'string' ? file : file.name);
  return {
    upload: async (name, data, uploadOptions = {}) => {
      const { contentType, ...callOptions } = uploadOptions;
      let body: BodyInit;
      if (isStream(data)) body = canStreamUploads() ? data : await new Response(data).arrayBuffer();
      else body = data as BodyInit;
      const type =
        contentType ??
        (typeof Blob !== 'undefined' && data instanceof Blob && data.type !== '' ? data.type : undefined) ??
        (typeof data === 'string' ? 'text/plain' : undefined);
      const response = (await call(transport, {
        ...callOptions,
        method: 'POST',
        path: `/files/${encodeURIComponent(name)}`,
        rawBody: body,
        ...(type === undefined ? {} : { contentType: type }),
      })) as { name: string; url: string };
      return { __type: 'File', name: response.name, url: response.url };
    },
    delete: async (file, callOptions = {}) => {
      await call(transport, { ...callOptions, method: 'DELETE', path: `/files/${encodeURIComponent(nameOf(file))}` });
    },
    url: (file) =>
      (typeof file !== 'string' && file.url) ||
      `${options.serverURL.replace(/\/+$/, '')}/files/${encodeURIComponent(options.appId)}/${encodeURIComponent(nameOf(file))}`,
  };
}
