/**
 * The live query hub: live queries (LiveQuery subscriptions, GraphQL subscriptions) matched against the change
 * feed, decided and shaped by the subscriber's `ReadPolicy`. It knows no wire format: `live/` (WebSocket) and
 * `graphql/` encode what it hands them. It does not replay missed events (the front end's resume does).
 */
export { LiveHub } from './hub.js';
export type { LiveCore, LiveHubOptions } from './hub.js';
export type { LiveEvent, LiveListener, LiveQuery, LiveSubscription } from './live-query.js';
export type { LiveEventOp } from './event-decision.js';
export { decideEvent } from './event-decision.js';
export { SubscriptionIndex } from './subscription-index.js';
