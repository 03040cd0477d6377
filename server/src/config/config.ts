/**
 * The validated, frozen configuration `main.ts` builds and `createApp` consumes. Every option is declared
 * once in `options.ts` (name, type, default, env var, flag, description); this is its typed result.
 */
import type {
  AccountLockoutSettings,
  AuthProviderOptionSettings,
  PasswordPolicySettings,
} from './user-policy-kinds.js';
import type { ProtectedFieldsSetting } from './protected-fields-kind.js';
import type { DashboardAppSetting } from './dashboard-apps-kind.js';

export type ServerRole = 'api' | 'live' | 'worker' | 'all';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type LogFormat = 'json' | 'pretty';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Always starts with `/` and has no trailing slash, e.g. `/parse`. */
  readonly mountPath: string;
  readonly dataDir: string;
  /** `sqlite:<path>` or `mongodb://...`. Default: `sqlite:<dataDir>/strata.db`. */
  readonly databaseURI: string;
  /** Milliseconds a start waits for MongoDB to answer before giving up (default 5000). */
  readonly databaseConnectTimeout?: number;
  readonly redisURL?: string;
  readonly role: ServerRole;
  readonly appId: string;
  readonly masterKey: string;
  readonly readOnlyMasterKey?: string;
  readonly maintenanceKey?: string;
  readonly javascriptKey?: string;
  readonly restAPIKey?: string;
  readonly clientKey?: string;
  readonly dotNetKey?: string;
  /** e.g. `https://api.example.com/parse`; used for file URLs. Default: derived from the request. */
  readonly publicServerURL?: string;
  /** Path of the cloud code module to load. */
  readonly cloud?: string;
  /** Restart the server when the cloud code's files change (optional in the type; default false). */
  readonly dev?: boolean;
  /** Milliseconds a cloud function or trigger may run (default 30000). */
  readonly cloudTimeout?: number;
  /** Milliseconds a webhook may take to answer (default 10000). */
  readonly webhookTimeout?: number;
  /** Milliseconds a cloud job may run unless it sets `timeoutMs` (default 3600000). */
  readonly jobTimeout?: number;
  /** Jobs run at once by a worker process (default 4). */
  readonly jobConcurrency?: number;
  /** With Redis: a running job's lock lifetime in ms (default 30000). */
  readonly jobLockDuration?: number;
  /** With Redis: ms between checks for jobs whose worker died (default 30000). */
  readonly jobStalledInterval?: number;
  /** Sent to webhooks as `X-Parse-Webhook-Key`. */
  readonly webhookKey?: string;
  readonly allowClientClassCreation: boolean;
  /** Fields hidden per class and caller key, merged into CLPs. Default `{"_User":{"*":["email"]}}`. */
  readonly protectedFields?: ProtectedFieldsSetting;
  /** IPs or CIDR ranges the master key is accepted from. Default: loopback only. */
  readonly masterKeyIps: readonly string[];
  readonly maintenanceKeyIps: readonly string[];
  /** Request body limit in bytes. */
  readonly maxBodySize: number;
  /** Deepest nesting accepted in a JSON body or a `where` clause. */
  readonly maxNestingDepth: number;
  readonly defaultLimit: number;
  /** Highest `limit` honoured; larger values are clamped. Unset: no maximum. */
  readonly maxLimit?: number;
  /** Most fields one class may have (255 past it); optional in the type, default 1000. */
  readonly maxFieldsPerClass?: number;
  /** Query complexity limits for non-master requests (see `query/limits.ts`). */
  readonly queryMaxBranches: number;
  readonly queryMaxInValues: number;
  readonly queryMaxRegexLength: number;
  readonly querySubqueryDepth: number;
  /** Most total cost of one `where` (query/limits.ts `QUERY_COST`). Optional in the type; default 20000. */
  readonly queryMaxCost?: number;
  /** Let non-master requests use `explain`. */
  readonly allowPublicExplain: boolean;
  /** Deduplicate writes by `X-Parse-Request-Id` (optional in the type; default on). */
  readonly idempotency?: boolean;
  /** Seconds a request id is remembered (default 300). */
  readonly idempotencyTtl?: number;
  readonly logLevel: LogLevel;
  /** Unset: `pretty` when stdout is a terminal, else `json` (`main.ts` decides). */
  readonly logFormat?: LogFormat;
  /** Extra CORS origins (default `*`). */
  readonly allowOrigin: readonly string[];
  // Email and user options. Optional in the type so hand-built configs (tests) may leave them out; `main.ts`
  // always fills the declared defaults, and `app.ts` applies the same defaults for missing values.
  readonly appName?: string;
  readonly emailAdapter?: 'log' | 'smtp';
  readonly emailHost?: string;
  readonly emailPort?: number;
  readonly emailSecure?: boolean;
  readonly emailUser?: string;
  readonly emailPass?: string;
  readonly emailFrom?: string;
  readonly verifyUserEmails?: boolean;
  readonly preventLoginWithUnverifiedEmail?: boolean;
  readonly preventSignupWithUnverifiedEmail?: boolean;
  /** Seconds; unset: links are valid until used. */
  readonly emailVerifyTokenValidityDuration?: number;
  readonly emailVerifySuccessOnInvalidEmail?: boolean;
  readonly accountLockout?: AccountLockoutSettings;
  readonly passwordPolicy?: PasswordPolicySettings;
  readonly enableAnonymousUsers?: boolean;
  readonly authProviders?: Readonly<Record<string, AuthProviderOptionSettings>>;
  /** bcrypt cost (default 10). */
  readonly passwordHashCost?: number;
  /** Session lifetime in seconds (default one year). */
  readonly sessionLength?: number;
  /** Log-in / sign-up / password-reset requests per IP per window; 0 disables (default 600). */
  readonly authRateLimit?: number;
  /** The same per username or email (default 60). */
  readonly authRateLimitAccount?: number;
  /** Window in seconds (default 60). */
  readonly authRateLimitWindow?: number;
  // Files (optional like the email options: `app.ts` applies the declared defaults for missing values).
  /** Unset: `gridfs` with a MongoDB database, else `local`. */
  readonly filesAdapter?: 'local' | 'gridfs';
  /** Directory of the local adapter (default `<dataDir>/files`). */
  readonly filesDirectory?: string;
  /** GridFS encryption key (parse-server's `fileKey`). */
  readonly filesEncryptionKey?: string;
  /** Largest upload in bytes (default 20 MiB). */
  readonly maxUploadSize?: number;
  /** Who may upload (defaults false / false / true); the master key always may. */
  readonly fileUploadPublic?: boolean;
  readonly fileUploadAnonymous?: boolean;
  readonly fileUploadAuthenticated?: boolean;
  /** Allowed extensions (lower case; `*` any). Unset: any except active content. */
  readonly fileExtensions?: readonly string[];
  readonly preserveFileName?: boolean;
  /** Seconds a signed file URL stays valid; unset: file URLs are not signed. */
  readonly fileUrlSigningTtl?: number;
  // Dashboard (optional like the email options: `app.ts` applies the declared defaults for missing values).
  /** Serve the admin dashboard at `/dashboard` on the api role (default true). */
  readonly dashboard?: boolean;
  /** The dashboard users file written by `strata dashboard-user add` (default `<dataDir>/dashboard-users.json`). */
  readonly dashboardUsersFile?: string;
  /** Other apps (servers) managed from this dashboard. */
  readonly dashboardApps?: readonly DashboardAppSetting[];
  /** Seconds a dashboard sign-in lasts (default 43200, 12 hours). */
  readonly dashboardSessionTtl?: number;
  /** Signs dashboard session cookies; every server of a deployment needs the same. Default: derived from the master key. */
  readonly dashboardSecret?: string;
}
