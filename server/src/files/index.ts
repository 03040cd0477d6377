/**
 * Files: where uploaded Parse.File bytes live. Stores behind one small interface (`FileStore`): a local
 * directory (the default) and GridFS (parse-server's layout, so its existing files are served), opened by
 * `openFileStore`. A store streams bytes in and out, keeps content type, metadata and tags, and refuses
 * unsafe names as defence in depth. It deliberately knows nothing about HTTP, permissions, upload
 * policies, unique naming or URLs: the files route and `core` own those.
 */
export type { FileRead, FileStore, FileStoreOptions, FileWrite, StoredFileInfo } from './adapter.js';
export { openFileStore } from './open.js';
export { assertSafeFileName } from './names.js';
export {
  contentTypeForExtension,
  contentTypeForName,
  extensionForContentType,
  extensionOf,
  mediaTypeEssence,
} from './content-type.js';
