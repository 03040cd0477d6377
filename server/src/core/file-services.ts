import type { FileStore } from '../files/index.js';
import type { FileUrlSigner } from './file-url-signing.js';

/** Who may upload, besides the master key (rest.md §10.1 `fileUpload`). */
export interface FileUploadPolicy {
  readonly public: boolean;
  readonly anonymous: boolean;
  readonly authenticated: boolean;
}

/** What the file operations need: the store, the limits and policies, and URL signing when it is on. */
export interface FileServices {
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
}
