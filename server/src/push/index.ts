/**
 * Push notifications (push.md): `POST /push` checked and recorded in `_PushStatus`, its parts queued (now,
 * at `push_time`, or at each time zone's device-local time), and delivered by the `worker` role: the
 * audience resolved through `core.find` on `_Installation` in pages, batched per provider (FCM HTTP v1,
 * APNs over HTTP/2, Web Push, or the log provider by default) under a rate limit with retries, dead tokens
 * removed, `badge: "Increment"` applied server-side. It does not touch storage: every read and write goes
 * through core with the master key, so triggers and the change feed see push's writes like any other.
 */
export { PushService } from './service.js';
export type { PushHookRequest, PushHooks, PushServiceOptions } from './service.js';
export type { PushJobData } from './worker.js';
export type { DeliveryResult, PushDevice, PushMessage, PushProvider } from './provider.js';
export { createLogProvider } from './providers/log.js';
export { pushProvidersFromConfig } from './providers-from-config.js';
