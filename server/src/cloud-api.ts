/**
 * `@strata/server/cloud`: Strata's typed cloud code API. Import it from the module `--cloud` loads; each call
 * registers a function, trigger or job into the server loading that module. Hooks are trusted code running
 * in the server process.
 *
 * @example
 * import { defineFunction } from '@strata/server/cloud';
 * defineFunction<{ name: string }, string>('hello', ({ params }) => `Hello ${params.name}`);
 */
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
} from './cloud/index.js';
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
  Validator,
  ValidatorSpec,
  FieldRule,
  RateLimitRule,
  JobOptions,
  HookServerConfig,
} from './cloud/index.js';
