/**
 * Cloud code: the registry of the developer's functions, triggers and jobs, the APIs that fill it (Strata's
 * typed API, Parse's `Parse.Cloud`, webhooks), and the runners `core` calls. Hooks are trusted code running
 * in the server process; this layer contains their failures (errors, rejections, hangs) so a hook never
 * crashes the server or corrupts the request that called it.
 */
export {
  CloudRegistry,
  FILE_TRIGGER_CLASS,
  CONFIG_TRIGGER_CLASS,
  PUSH_TRIGGER_CLASS,
  triggerKey,
  assertName as assertHookName,
  assertTriggerAllowed,
} from './registry.js';
export type { WebhookOverlay } from './registry.js';
export { CONNECT_TRIGGER_CLASS, LIVE_TRIGGER_NAMES, TRIGGER_NAMES } from './types.js';
export type * from './types.js';
export { CloudRunner } from './runner.js';
export { diffObjects } from './hook-results.js';
export type { CloudRunnerOptions, HookCaller, HookRateLimiterFactory, SaveHookInput } from './runner.js';
export { toHookError } from './errors.js';
export { installUnhandledRejectionGuard } from './unhandled.js';
export {
  createCloudAPI,
  defineFunction,
  beforeSave,
  afterSave,
  beforeDelete,
  afterDelete,
  beforeFind,
  afterFind,
  beforeLogin,
  afterLogin,
  afterLogout,
  beforePasswordResetRequest,
  beforePush,
  afterPush,
  defineJob,
  StrataCloudError,
} from './typed-api.js';
export type {
  AfterFindContext,
  AfterPushContext,
  BeforeFindContext,
  BeforePushContext,
  CloudAPI,
  CloudCaller,
  CloudFile,
  CloudObject,
  CloudQuery,
  DeleteContext,
  FunctionContext,
  JobContext,
  SaveContext,
} from './typed-api.js';
export { createWebhookStore } from './webhooks-store.js';
export type { WebhookSource, WebhookStore } from './webhooks-store.js';
export type { FunctionHook, TriggerHook } from './webhooks-handlers.js';
export { JobRunner } from './jobs.js';
export type { JobQueueData, JobRunnerOptions } from './jobs.js';
export { statusIdFor } from './job-status.js';
export { scheduleRule, scheduleParams, isDue, ruleCron } from './job-schedules.js';
export type { JobScheduleSource, StoredJobSchedule, ScheduleRule } from './job-schedules.js';
export type { JobStatusStore, JobStatusRecord, JobStatusChange, JobState, JobSource } from './job-status.js';
export { ParseBridge, parseBridgeOf } from './parse-bridge.js';
export { OutboundHttp, OutboundRefusedError } from './outbound-http.js';
export type { OutboundRequest, OutboundResponse } from './outbound-http.js';
export { runInParseApp, parseRuntime } from './parse-runtime.js';
export { parseWithCloud } from './parse-cloud.js';
export type { InProcessDispatch, InProcessRequest, InProcessResponse } from './parse-bridge.js';
export { loadCloudCode } from './load.js';
export type { LoadCloudOptions, LoadedCloudCode } from './load.js';
export { DEV_GO, DEV_LOADED, superviseDev } from './load-dev.js';
export type { DevSupervisor, DevSupervisorOptions } from './load-dev.js';
export { loadingRegistry, withLoadingRegistry } from './load-context.js';
