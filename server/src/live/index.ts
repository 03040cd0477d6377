/**
 * LiveQuery: Parse's realtime query protocol on WebSocket (`ws`), a thin front end over core's live query hub.
 * It decodes frames, resolves the connecting client's keys and tokens through `auth/` and core, registers
 * live queries with the hub, and encodes the hub's shaped events with the REST JSON codec. It decides no
 * permission and matches no query itself: the hub (core/live) and the read policy do.
 */
export { LiveServer } from './live-server.js';
export type { LiveServerOptions } from './live-server.js';
export type { ConnectionContext } from './connection.js';
export { LIVE_ERROR, CLOSE_CODE } from './frames.js';
export { parseClientFrame, InvalidFrame } from './protocol.js';
