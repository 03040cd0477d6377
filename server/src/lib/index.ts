/**
 * Small pure helpers with no knowledge of Strata: random identifiers and the like.
 */
export { randomString, randomHex } from './random.js';
