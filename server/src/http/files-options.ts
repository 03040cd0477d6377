import type { Auth } from '../auth/index.js';
import type { RequestOrigin } from '../core/index.js';
import type { FileStore } from '../files/index.js';
import type { FileUrlSigner } from './files-signing.js';

/** Who may upload, besides the master key (rest.md §10.1 `fileUpload`). */
export interface FileUploadPolicy {
  readonly public: boolean;
  readonly anonymous: boolean;
  readonly authenticated: boolean;
}

/** One file a hook sees. */
export interface FileHookEvent {
  readonly auth: Auth;
  /** The stored name (unique prefix included). */
  readonly name: string;
  readonly contentType?: string;
  /** Before the save: the size the request declared (Content-Length, or the JSON form's bytes), when known;
   * after the save and before a delete of an existing file: the stored size. */
  readonly size?: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** After the save, and before a delete of an existing file. */
  readonly url?: string;
  /** The request's ip, headers, client context and logger, for the hooks' request. */
  readonly origin?: RequestOrigin;
}

/**
 * The file a beforeSave hook wants stored instead of the upload (fields left out keep the upload's): the
 * route checks it like a client's (name, type, metadata and tags rules); with a `url` nothing is stored.
 */
export interface FileReplacement {
  readonly name?: string;
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, unknown>>;
  readonly url?: string;
}

/**
 * The seam for cloud code's `Parse.File` triggers (beforeSave / afterSave / beforeDelete / afterDelete):
 * the files routes call these around the store; a `before` hook rejects by throwing a ParseError, and
 * beforeSave may answer a replacement file. `app.ts` passes cloud code's implementation.
 */
export interface FileHooks {
  beforeSave?(event: FileHookEvent): Promise<FileReplacement | undefined>;
  afterSave?(event: FileHookEvent): Promise<void>;
  beforeDelete?(event: FileHookEvent): Promise<void>;
  afterDelete?(event: FileHookEvent): Promise<void>;
}

/** What the files routes need: the store, the limits and policies, and URL signing when it is on. */
export interface FilesHttpOptions {
  readonly store: FileStore;
  /** Largest upload in bytes. */
  readonly maxUploadSize: number;
  readonly uploadPolicy: FileUploadPolicy;
  /** Lower-case extensions non-master uploads may have (`*`: any); undefined: any except active content. */
  readonly allowedExtensions?: readonly string[];
  /** Keep the client's name instead of prefixing 32 random hex characters. */
  readonly preserveFileName: boolean;
  /** Set when file URLs are signed (`--file-url-signing-ttl`). */
  readonly signer?: FileUrlSigner;
  readonly hooks?: FileHooks;
}
