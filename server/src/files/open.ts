import type { FileStore, FileStoreOptions } from './adapter.js';
import { LocalFileStore } from './local-store.js';

/**
 * Opens the configured store: a local directory (created if missing) or a GridFS bucket (connects first,
 * so a wrong URI fails at start-up rather than on the first upload).
 *
 * @example
 * const files = await openFileStore({ kind: 'gridfs', uri: 'mongodb://db/app', encryptionKey: fileKey });
 */
export async function openFileStore(options: FileStoreOptions): Promise<FileStore> {
  switch (options.kind) {
    case 'local':
      return LocalFileStore.open({ directory: options.directory });
    case 'gridfs': {
      const { GridFSFileStore } = await import('./gridfs-store.js');
      return GridFSFileStore.open(options);
    }
  }
}
