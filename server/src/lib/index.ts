/**
 * Small pure helpers with no knowledge of Strata: random identifiers and the like.
 */
export { randomString, randomHex } from './random.js';
export { makeDirectory, makeDirectorySync } from './make-directory.js';
export { UpgradeLimit } from './upgrade-limit.js';
export { Heartbeat } from './heartbeat.js';
export type { PingedSocket } from './heartbeat.js';
