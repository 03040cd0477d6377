/**
 * Files as the composition root wires them: the file store (GridFS or a local directory), the upload policies
 * and signed file URLs, and the slice of them the HTTP routes need. Part of the composition root (only
 * `app.ts` imports it).
 */
import type { Config } from './config/index.js';
import { FileUrlSigner } from './core/index.js';
import type { FileServices } from './core/index.js';
import { ErrorCode, ParseError } from './errors/index.js';
import { openFileStore } from './files/index.js';

/** What http needs to serve the files routes and write file URLs. */
export function httpFiles(files: FileServices): { maxUploadSize: number; fileToken?: (name: string) => string } {
  const { signer } = files;
  return {
    maxUploadSize: files.maxUploadSize,
    ...(signer === undefined ? {} : { fileToken: (name: string) => signer.token(name) }),
  };
}

/**
 * The file store and the upload policies (rest.md §10): GridFS in the MongoDB database (parse-server's
 * default, so its files are served) or a local directory; signed file URLs when a TTL is configured.
 */
export async function openFiles(options: { config: Config; now: () => Date }): Promise<FileServices> {
  const { config } = options;
  const mongo = config.databaseURI.startsWith('mongodb');
  const kind = config.filesAdapter ?? (mongo ? 'gridfs' : 'local');
  if (kind === 'gridfs' && !mongo) {
    throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
      message: '--files-adapter gridfs stores files in MongoDB: it needs a mongodb:// --database-uri.',
    });
  }
  const store = await openFileStore(
    kind === 'gridfs'
      ? {
          kind,
          uri: config.databaseURI,
          ...(config.filesEncryptionKey === undefined ? {} : { encryptionKey: config.filesEncryptionKey }),
        }
      : { kind, directory: config.filesDirectory },
  );
  return {
    store,
    maxUploadSize: config.maxUploadSize,
    uploadPolicy: {
      public: config.fileUploadPublic,
      anonymous: config.fileUploadAnonymous,
      authenticated: config.fileUploadAuthenticated,
    },
    ...(config.fileExtensions === undefined
      ? {}
      : { allowedExtensions: config.fileExtensions.map((e) => e.toLowerCase()) }),
    preserveFileName: config.preserveFileName,
    ...(config.fileUrlSigningTtl === undefined
      ? {}
      : {
          signer: await FileUrlSigner.create({
            masterKey: config.masterKey,
            ttlSeconds: config.fileUrlSigningTtl,
            now: options.now,
          }),
        }),
  };
}
