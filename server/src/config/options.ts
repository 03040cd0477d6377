import { describeRoles, roleKind } from './roles.js';
import type { ValueKind } from './option-types.js';
import { accountLockoutKind, authProvidersKind, passwordPolicyKind } from './user-policy-kinds.js';
import { protectedFieldsKind } from './protected-fields-kind.js';
import { dashboardAppsKind } from './dashboard-apps-kind.js';
import {
  booleanKind,
  checkIpOrCidr,
  enumKind,
  integerKind,
  listKind,
  mountPathKind,
  sizeKind,
  stringKind,
  uriKind,
} from './option-types.js';

/**
 * Every Strata option, declared once. The parser, `strata --help`, the README's configuration table and the
 * `Config` type itself (`config.ts`) are all derived from this list: add an option here, nowhere else.
 */

export type OptionGroup =
  'Server' | 'Storage' | 'Keys' | 'Security' | 'Email' | 'Push' | 'Limits' | 'Logging' | 'Dashboard';

/** Values a default may depend on (already resolved, absolute). */
export interface DefaultContext {
  readonly dataDir: string;
}

export interface OptionDeclaration<K extends string = string, T = unknown> {
  readonly key: K;
  readonly flag: `--${string}`;
  readonly env: string;
  /** Other env vars read when `env` is unset, in order (e.g. the conventional `PORT`). */
  readonly envFallbacks?: readonly string[];
  readonly kind: ValueKind<T>;
  /** With a default, the option is always set in `Config`; without one it may be unset. */
  readonly default?: (context: DefaultContext) => NoInfer<T>;
  /** Always set in `Config` though it has no default: generated on first start when not configured (keys). */
  readonly generated?: true;
  /** How the default reads in `--help` and the README. */
  readonly defaultText: string;
  readonly description: string;
  readonly group: OptionGroup;
  /** Never echoed back in logs or error messages. */
  readonly secret?: boolean;
}

/** Type-only marker: whether a declared option is always set in `Config` (it never exists at run time). */
declare const PRESENCE: unique symbol;
/** An option as `option()` declared it: its key, its value type, and whether `Config` always holds it. */
export type DeclaredOption<K extends string, T, P extends 'always' | 'maybe'> = OptionDeclaration<K, T> & {
  readonly [PRESENCE]?: P;
};

/** Declares one option; the kind, the default and the key's literal type are checked and kept. */
function option<const K extends string, T>(
  declaration: OptionDeclaration<K, T> & ({ readonly default: unknown } | { readonly generated: true }),
): DeclaredOption<K, T, 'always'>;
function option<const K extends string, T>(declaration: OptionDeclaration<K, T>): DeclaredOption<K, T, 'maybe'>;
function option<const K extends string, T>(declaration: OptionDeclaration<K, T>): OptionDeclaration<K, T> {
  return declaration;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOG_FORMATS = ['pretty', 'json'] as const;
export type { ServerRole } from './roles.js';
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];
const ips = listKind({ placeholder: '<ip,...>', item: checkIpOrCidr });
const secret = stringKind('<key>');

/** A file extension for `--file-extensions`: letters and digits (`*` allows any). */
function checkFileExtension(value: string): string | undefined {
  return value === '*' || /^[A-Za-z0-9]{1,16}$/.test(value) ? undefined : 'expected extensions such as png,jpg or *';
}

/** The option that names the config file; it is read before everything else, so it is not a `Config` field. */
export const CONFIG_FILE_OPTION = {
  flag: '--config',
  env: 'STRATA_CONFIG',
  placeholder: '<file>',
  description:
    'JSON file with options keyed by their camelCase name (e.g. {"port": 8080}). Env vars and flags override it.',
} as const;

export const OPTIONS = [
  // Server
  option({
    key: 'port',
    flag: '--port',
    env: 'STRATA_PORT',
    envFallbacks: ['PORT'],
    group: 'Server',
    kind: integerKind({ min: 0, max: 65535 }),
    default: () => 1337,
    defaultText: '1337',
    description: 'TCP port to listen on (0 picks a free port). `PORT` is read when `STRATA_PORT` is unset.',
  }),
  option({
    key: 'host',
    flag: '--host',
    env: 'STRATA_HOST',
    group: 'Server',
    kind: stringKind('<host>'),
    default: () => '0.0.0.0',
    defaultText: '0.0.0.0',
    description: 'Interface to bind.',
  }),
  option({
    key: 'mountPath',
    flag: '--mount-path',
    env: 'STRATA_MOUNT_PATH',
    group: 'Server',
    kind: mountPathKind(),
    default: () => '/parse',
    defaultText: '/parse',
    description: 'URL path the Parse API is served under.',
  }),
  option({
    key: 'role',
    flag: '--role',
    env: 'STRATA_ROLE',
    group: 'Server',
    kind: roleKind(),
    default: () => 'all' as const,
    defaultText: 'all',
    description: describeRoles(),
  }),
  option({
    key: 'liveQueryPort',
    flag: '--live-query-port',
    env: 'STRATA_LIVE_QUERY_PORT',
    group: 'Server',
    kind: integerKind({ min: 0, max: 65535 }),
    defaultText: 'the REST port',
    description:
      'LiveQuery (roles `live` and `all`) also listens on this port of its own (0 picks a free one). Unset: WebSocket upgrades are served on the REST port only, on any path.',
  }),
  option({
    key: 'liveQueryClasses',
    flag: '--live-query-classes',
    env: 'STRATA_LIVE_QUERY_CLASSES',
    group: 'Server',
    kind: listKind({ placeholder: '<class,...>' }),
    defaultText: 'every class',
    description:
      "Classes LiveQuery serves (each an anchored regex, as Parse's `liveQuery.classNames`); a subscription to another class is refused (119). Unset: every class, still under its permissions.",
  }),
  option({
    key: 'liveQueryPingInterval',
    flag: '--live-query-ping-interval',
    env: 'STRATA_LIVE_QUERY_PING_INTERVAL',
    group: 'Server',
    kind: integerKind({ min: 1, max: 3600 }),
    default: () => 10,
    defaultText: '10',
    description:
      "Seconds between WebSocket pings to LiveQuery clients; a client that did not answer the previous ping is disconnected (Parse's `websocketTimeout`).",
  }),
  option({
    key: 'publicServerURL',
    flag: '--public-server-url',
    env: 'STRATA_PUBLIC_SERVER_URL',
    group: 'Server',
    kind: uriKind({ placeholder: '<url>', prefixes: ['http://', 'https://'] }),
    defaultText: 'derived from the request',
    description:
      'Public URL of the API including the mount path, e.g. `https://api.example.com/parse`; used in file URLs and emails.',
  }),
  option({
    key: 'cloud',
    flag: '--cloud',
    env: 'STRATA_CLOUD',
    group: 'Server',
    kind: stringKind('<file>'),
    defaultText: 'none',
    description: 'Path of the cloud code module to load (trusted code, runs in the server process).',
  }),
  option({
    key: 'dev',
    flag: '--dev',
    env: 'STRATA_DEV',
    group: 'Server',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description:
      "Development mode: run the server as a child process and restart it when a file under the `--cloud` module's directory changes.",
  }),
  option({
    key: 'cloudTimeout',
    flag: '--cloud-timeout',
    env: 'STRATA_CLOUD_TIMEOUT',
    group: 'Server',
    kind: integerKind({ min: 1, max: 24 * 3600 * 1000 }),
    default: () => 30_000,
    defaultText: '30000',
    description:
      'Milliseconds a cloud function or trigger may run before its request fails with 141 (the late result is ignored).',
  }),
  option({
    key: 'webhookTimeout',
    flag: '--webhook-timeout',
    env: 'STRATA_WEBHOOK_TIMEOUT',
    group: 'Server',
    kind: integerKind({ min: 1, max: 10 * 60 * 1000 }),
    default: () => 10_000,
    defaultText: '10000',
    description: 'Milliseconds to wait for a webhook (`/hooks`) to answer before its request fails with 141.',
  }),
  option({
    key: 'jobTimeout',
    flag: '--job-timeout',
    env: 'STRATA_JOB_TIMEOUT',
    group: 'Server',
    kind: integerKind({ min: 1, max: 24 * 3600 * 1000 }),
    default: () => 3_600_000,
    defaultText: '3600000',
    description:
      'Milliseconds a cloud job may run (unless it sets its own `timeoutMs`) before its signal is aborted and the attempt fails.',
  }),
  option({
    key: 'jobConcurrency',
    flag: '--job-concurrency',
    env: 'STRATA_JOB_CONCURRENCY',
    group: 'Server',
    kind: integerKind({ min: 1, max: 1000 }),
    default: () => 4,
    defaultText: '4',
    description: 'Cloud jobs a `worker` or `all` process runs at once.',
  }),
  option({
    key: 'jobLockDuration',
    flag: '--job-lock-duration',
    env: 'STRATA_JOB_LOCK_DURATION',
    group: 'Server',
    kind: integerKind({ min: 100, max: 24 * 3600 * 1000 }),
    default: () => 30_000,
    defaultText: '30000',
    description:
      "With Redis: milliseconds a worker's lock on a running job lasts without renewal (renewed while it runs). The job of a killed worker is run again once its lock lapses.",
  }),
  option({
    key: 'jobStalledInterval',
    flag: '--job-stalled-interval',
    env: 'STRATA_JOB_STALLED_INTERVAL',
    group: 'Server',
    kind: integerKind({ min: 100, max: 24 * 3600 * 1000 }),
    default: () => 30_000,
    defaultText: '30000',
    description:
      "With Redis: how often (ms) each worker looks for jobs whose lock lapsed and queues them again; a killed worker's job restarts within lock duration + 2 × this.",
  }),
  option({
    key: 'allowOrigin',
    flag: '--allow-origin',
    env: 'STRATA_ALLOW_ORIGIN',
    group: 'Server',
    kind: listKind({ placeholder: '<origin,...>' }),
    default: () => ['*'],
    defaultText: '*',
    description: 'Origins allowed by CORS.',
  }),
  option({
    key: 'drainDelay',
    flag: '--drain-delay',
    env: 'STRATA_DRAIN_DELAY',
    group: 'Server',
    kind: integerKind({ min: 0, max: 600 }),
    default: () => 0,
    defaultText: '0',
    description:
      'Seconds a stopping server keeps serving while `/ready` answers 503, so a load balancer stops sending it requests before it closes its port.',
  }),
  option({
    key: 'usageFlushInterval',
    flag: '--usage-flush-interval',
    env: 'STRATA_USAGE_FLUSH_INTERVAL',
    group: 'Server',
    kind: integerKind({ min: 1, max: 3600 }),
    default: () => 60,
    defaultText: '60',
    description:
      'Seconds between writes of the usage meter (invocations and compute time per hour, `GET /usage`) to the database; it is also written on shutdown.',
  }),
  // Storage
  option({
    key: 'dataDir',
    flag: '--data-dir',
    env: 'STRATA_DATA_DIR',
    group: 'Storage',
    kind: stringKind('<dir>'),
    default: () => './.strata',
    defaultText: './.strata',
    description: 'Directory for the SQLite database, local files and generated keys (`keys.json`).',
  }),
  option({
    key: 'databaseURI',
    flag: '--database-uri',
    env: 'STRATA_DATABASE_URI',
    group: 'Storage',
    kind: uriKind({ placeholder: '<uri>', prefixes: ['sqlite:', 'mongodb://', 'mongodb+srv://'] }),
    default: ({ dataDir }) => `sqlite:${dataDir}/strata.db`,
    defaultText: 'sqlite:<data-dir>/strata.db',
    description: '`sqlite:<path>` or `mongodb://...` (parse-server compatible layout).',
  }),
  option({
    key: 'databaseConnectTimeout',
    flag: '--database-connect-timeout',
    env: 'STRATA_DATABASE_CONNECT_TIMEOUT',
    group: 'Storage',
    kind: integerKind({ min: 100, max: 600_000 }),
    default: () => 5000,
    defaultText: '5000',
    description:
      'Milliseconds a start waits for MongoDB to answer before it stops with a message (once running, the driver waits its own 30 s for a server).',
  }),
  option({
    key: 'redisURL',
    flag: '--redis-url',
    env: 'STRATA_REDIS_URL',
    group: 'Storage',
    kind: uriKind({ placeholder: '<url>', prefixes: ['redis://', 'rediss://'] }),
    defaultText: 'none (in-process)',
    description: 'Redis for pub/sub, queues and shared caches; required when running several processes.',
  }),
  // Keys
  option({
    key: 'appId',
    generated: true,
    flag: '--app-id',
    env: 'STRATA_APP_ID',
    group: 'Keys',
    kind: stringKind('<id>'),
    defaultText: 'generated on first start',
    description: 'Application id clients send in `X-Parse-Application-Id`.',
  }),
  option({
    key: 'masterKey',
    generated: true,
    flag: '--master-key',
    env: 'STRATA_MASTER_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'generated on first start',
    description: 'Master key: bypasses ACLs and class-level permissions. Keep it on the server.',
  }),
  option({
    key: 'readOnlyMasterKey',
    flag: '--read-only-master-key',
    env: 'STRATA_READ_ONLY_MASTER_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'none',
    description: 'Master key that may read everything but write nothing.',
  }),
  option({
    key: 'maintenanceKey',
    flag: '--maintenance-key',
    env: 'STRATA_MAINTENANCE_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'none',
    description: 'Key for internal maintenance access (IP-restricted by `--maintenance-key-ips`).',
  }),
  option({
    key: 'clientKey',
    flag: '--client-key',
    env: 'STRATA_CLIENT_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'generated on first start',
    description: 'Client key (iOS, Android, Flutter; `X-Parse-Client-Key`).',
  }),
  option({
    key: 'javascriptKey',
    flag: '--javascript-key',
    env: 'STRATA_JAVASCRIPT_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'the generated client key',
    description: 'JavaScript key (`X-Parse-Javascript-Key`, `_JavaScriptKey`).',
  }),
  option({
    key: 'restAPIKey',
    flag: '--rest-api-key',
    env: 'STRATA_REST_API_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'the generated client key',
    description: 'REST API key (`X-Parse-REST-API-Key`).',
  }),
  option({
    key: 'dotNetKey',
    flag: '--dotnet-key',
    env: 'STRATA_DOTNET_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'the generated client key',
    description: '.NET / Unity key (`X-Parse-Windows-Key`).',
  }),
  option({
    key: 'webhookKey',
    flag: '--webhook-key',
    env: 'STRATA_WEBHOOK_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'none (a warning is logged)',
    description: 'Sent to webhooks as `X-Parse-Webhook-Key` so they can check a call comes from this server.',
  }),
  // Security
  option({
    key: 'allowClientClassCreation',
    flag: '--allow-client-class-creation',
    env: 'STRATA_ALLOW_CLIENT_CLASS_CREATION',
    group: 'Security',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'Let requests without the master key create new classes.',
  }),
  option({
    key: 'protectedFields',
    flag: '--protected-fields',
    env: 'STRATA_PROTECTED_FIELDS',
    group: 'Security',
    kind: protectedFieldsKind(),
    default: () => ({ _User: { '*': ['email'] } }),
    defaultText: '{"_User":{"*":["email"]}}',
    description:
      'JSON of fields hidden from non-master readers, per class and key (`*`, `authenticated`, `role:Name`, `userField:field`, user id); merged into each class CLP.',
  }),
  option({
    key: 'masterKeyIps',
    flag: '--master-key-ips',
    env: 'STRATA_MASTER_KEY_IPS',
    group: 'Security',
    kind: ips,
    default: () => ['127.0.0.1', '::1'],
    defaultText: '127.0.0.1,::1',
    description: 'IPs or CIDR ranges the master key is accepted from.',
  }),
  option({
    key: 'maintenanceKeyIps',
    flag: '--maintenance-key-ips',
    env: 'STRATA_MAINTENANCE_KEY_IPS',
    group: 'Security',
    kind: ips,
    default: () => ['127.0.0.1', '::1'],
    defaultText: '127.0.0.1,::1',
    description: 'IPs or CIDR ranges the maintenance key is accepted from.',
  }),
  option({
    key: 'trustProxy',
    flag: '--trust-proxy',
    env: 'STRATA_TRUST_PROXY',
    group: 'Security',
    kind: ips,
    default: () => [],
    defaultText: 'none',
    description:
      'IPs or CIDR ranges of the proxies in front of Strata (e.g. the nginx gateway). From them only, `X-Forwarded-For` (read right to left, skipping these) and `X-Forwarded-Proto` give the client address and scheme that master-key IP checks, rate limits and logs use.',
  }),
  option({
    key: 'metricsKey',
    flag: '--metrics-key',
    env: 'STRATA_METRICS_KEY',
    group: 'Security',
    kind: secret,
    secret: true,
    defaultText: 'none',
    description:
      'Bearer token for `GET /metrics` (`Authorization: Bearer <key>`); a request carrying it is answered from any address.',
  }),
  option({
    key: 'metricsIps',
    flag: '--metrics-ips',
    env: 'STRATA_METRICS_IPS',
    group: 'Security',
    kind: ips,
    default: () => ['127.0.0.1', '::1'],
    defaultText: '127.0.0.1,::1',
    description: 'IPs or CIDR ranges allowed to read `GET /metrics` without the metrics key.',
  }),
  // Email (verification and password reset, spec/security.md §8-9)
  option({
    key: 'appName',
    flag: '--app-name',
    env: 'STRATA_APP_NAME',
    group: 'Email',
    kind: stringKind('<name>'),
    defaultText: 'none',
    description: 'App name shown in emails and pages; email flows need it and `--public-server-url`.',
  }),
  option({
    key: 'emailAdapter',
    flag: '--email-adapter',
    env: 'STRATA_EMAIL_ADAPTER',
    group: 'Email',
    kind: enumKind(['log', 'smtp'] as const),
    default: () => 'log' as const,
    defaultText: 'log',
    description: 'Where emails go: `log` (written to the server log, not sent) or `smtp`.',
  }),
  option({
    key: 'emailHost',
    flag: '--email-host',
    env: 'STRATA_EMAIL_HOST',
    group: 'Email',
    kind: stringKind('<host>'),
    defaultText: 'none',
    description: 'SMTP server host.',
  }),
  option({
    key: 'emailPort',
    flag: '--email-port',
    env: 'STRATA_EMAIL_PORT',
    group: 'Email',
    kind: integerKind({ min: 1, max: 65535 }),
    default: () => 587,
    defaultText: '587',
    description: 'SMTP server port.',
  }),
  option({
    key: 'emailSecure',
    flag: '--email-secure',
    env: 'STRATA_EMAIL_SECURE',
    group: 'Email',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'TLS from the first byte (port 465); otherwise STARTTLS when the server offers it.',
  }),
  option({
    key: 'emailUser',
    flag: '--email-user',
    env: 'STRATA_EMAIL_USER',
    group: 'Email',
    kind: stringKind('<user>'),
    defaultText: 'none',
    description: 'SMTP user name (no authentication when unset).',
  }),
  option({
    key: 'emailPass',
    flag: '--email-pass',
    env: 'STRATA_EMAIL_PASS',
    group: 'Email',
    secret: true,
    kind: secret,
    defaultText: 'none',
    description: 'SMTP password.',
  }),
  option({
    key: 'emailFrom',
    flag: '--email-from',
    env: 'STRATA_EMAIL_FROM',
    group: 'Email',
    kind: stringKind('<address>'),
    defaultText: 'none',
    description: 'From address of the emails, e.g. `"My App" <noreply@example.com>`; required for SMTP.',
  }),
  option({
    key: 'verifyUserEmails',
    flag: '--verify-user-emails',
    env: 'STRATA_VERIFY_USER_EMAILS',
    group: 'Email',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'Send a verification link when a user signs up with (or changes) an email.',
  }),
  option({
    key: 'preventLoginWithUnverifiedEmail',
    flag: '--prevent-login-with-unverified-email',
    env: 'STRATA_PREVENT_LOGIN_WITH_UNVERIFIED_EMAIL',
    group: 'Email',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description:
      'With `--verify-user-emails`: refuse log-in (205) until the email is verified; sign-up returns no session.',
  }),
  option({
    key: 'preventSignupWithUnverifiedEmail',
    flag: '--prevent-signup-with-unverified-email',
    env: 'STRATA_PREVENT_SIGNUP_WITH_UNVERIFIED_EMAIL',
    group: 'Email',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'With the two options above: the sign-up request itself answers 205 (the user is still created).',
  }),
  option({
    key: 'emailVerifyTokenValidityDuration',
    flag: '--email-verify-token-validity-duration',
    env: 'STRATA_EMAIL_VERIFY_TOKEN_VALIDITY_DURATION',
    group: 'Email',
    kind: integerKind({ min: 1, max: 1_000_000_000 }),
    defaultText: 'none (valid until used)',
    description: 'Seconds a verification link stays valid.',
  }),
  option({
    key: 'emailVerifySuccessOnInvalidEmail',
    flag: '--email-verify-success-on-invalid-email',
    env: 'STRATA_EMAIL_VERIFY_SUCCESS_ON_INVALID_EMAIL',
    group: 'Email',
    kind: booleanKind(),
    default: () => true,
    defaultText: 'true',
    description: 'Answer `{}` to a verification request for an unknown or verified email (no user enumeration).',
  }),
  // Users (spec/security.md §7-8, rest.md §6.10)
  option({
    key: 'accountLockout',
    flag: '--account-lockout',
    env: 'STRATA_ACCOUNT_LOCKOUT',
    group: 'Security',
    kind: accountLockoutKind(),
    defaultText: 'off',
    description:
      'JSON `{"duration":<minutes>,"threshold":<attempts>,"unlockOnPasswordReset":<bool>}`: lock an account after failed log-ins.',
  }),
  option({
    key: 'passwordPolicy',
    flag: '--password-policy',
    env: 'STRATA_PASSWORD_POLICY',
    group: 'Security',
    kind: passwordPolicyKind(),
    defaultText: 'none',
    description:
      'JSON with `validatorPattern`, `validationError`, `doNotAllowUsername`, `maxPasswordHistory`, `maxPasswordAge` (days), `resetTokenValidityDuration` (s), `resetTokenReuseIfValid`, `resetPasswordSuccessOnInvalidEmail`.',
  }),
  option({
    key: 'enableAnonymousUsers',
    flag: '--enable-anonymous-users',
    env: 'STRATA_ENABLE_ANONYMOUS_USERS',
    group: 'Security',
    kind: booleanKind(),
    default: () => true,
    defaultText: 'true',
    description: 'Allow sign-up with `authData.anonymous`.',
  }),
  option({
    key: 'authProviders',
    flag: '--auth-providers',
    env: 'STRATA_AUTH_PROVIDERS',
    group: 'Security',
    kind: authProvidersKind(),
    defaultText: 'none',
    description:
      'JSON of third-party log-in providers, e.g. `{"google":{"clientId":"..."},"apple":{"clientId":"..."}}`; other OpenID providers add `issuer` and `jwksUri`.',
  }),
  // Passwords, sessions and log-in rate limits (spec/security.md §6, rest.md §6)
  option({
    key: 'passwordHashCost',
    flag: '--password-hash-cost',
    env: 'STRATA_PASSWORD_HASH_COST',
    group: 'Security',
    kind: integerKind({ min: 4, max: 15 }),
    default: () => 10,
    defaultText: '10',
    description: 'bcrypt cost factor for new password hashes (each step doubles the hashing time).',
  }),
  option({
    key: 'sessionLength',
    flag: '--session-length',
    env: 'STRATA_SESSION_LENGTH',
    group: 'Security',
    kind: integerKind({ min: 1, max: 10 * 365 * 24 * 3600 }),
    default: () => 31_536_000,
    defaultText: '31536000 (1 year)',
    description: 'Seconds a new session stays valid (`expiresAt`); an expired token answers 209.',
  }),
  option({
    key: 'authRateLimit',
    flag: '--auth-rate-limit',
    env: 'STRATA_AUTH_RATE_LIMIT',
    group: 'Security',
    kind: integerKind({ min: 0, max: 1_000_000 }),
    default: () => 600,
    defaultText: '600',
    description:
      'Log-in, sign-up and password-reset requests allowed per client IP per window (0: no limit); over it → 429.',
  }),
  option({
    key: 'authRateLimitAccount',
    flag: '--auth-rate-limit-account',
    env: 'STRATA_AUTH_RATE_LIMIT_ACCOUNT',
    group: 'Security',
    kind: integerKind({ min: 0, max: 1_000_000 }),
    default: () => 60,
    defaultText: '60',
    description: 'The same requests allowed per username / email per window (0: no limit).',
  }),
  option({
    key: 'authRateLimitWindow',
    flag: '--auth-rate-limit-window',
    env: 'STRATA_AUTH_RATE_LIMIT_WINDOW',
    group: 'Security',
    kind: integerKind({ min: 1, max: 86_400 }),
    default: () => 60,
    defaultText: '60',
    description: 'Length of the rate-limit window in seconds (counters are shared through Redis when configured).',
  }),
  // Limits
  option({
    key: 'maxBodySize',
    flag: '--max-body-size',
    env: 'STRATA_MAX_BODY_SIZE',
    group: 'Limits',
    kind: sizeKind(),
    default: () => 20 * 1024 * 1024,
    defaultText: '20mb',
    description: 'Largest request body accepted (`512kb`, `20mb` or bytes).',
  }),
  option({
    key: 'liveQueryMaxSubscriptions',
    flag: '--live-query-max-subscriptions',
    env: 'STRATA_LIVE_QUERY_MAX_SUBSCRIPTIONS',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 1_000_000 }),
    default: () => 500,
    defaultText: '500',
    description: 'Most LiveQuery subscriptions one WebSocket connection may hold; one more is refused (error 155).',
  }),
  option({
    key: 'liveQueryMaxFrame',
    flag: '--live-query-max-frame',
    env: 'STRATA_LIVE_QUERY_MAX_FRAME',
    group: 'Limits',
    kind: sizeKind(),
    default: () => 256 * 1024,
    defaultText: '256kb',
    description: 'Largest LiveQuery frame a client may send; a larger one closes its socket (1009).',
  }),
  option({
    key: 'liveQueryMaxConnectionsPerIp',
    flag: '--live-query-max-connections-per-ip',
    env: 'STRATA_LIVE_QUERY_MAX_CONNECTIONS_PER_IP',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 10_000_000 }),
    default: () => 1000,
    defaultText: '1000',
    description:
      'Open LiveQuery sockets one client address may hold (see `--trust-proxy` behind a gateway); more are refused with HTTP 429.',
  }),
  option({
    key: 'liveQueryMaxQueue',
    flag: '--live-query-max-queue',
    env: 'STRATA_LIVE_QUERY_MAX_QUEUE',
    group: 'Limits',
    kind: sizeKind(),
    default: () => 4 * 1024 * 1024,
    defaultText: '4mb',
    description:
      'Bytes of events a slow LiveQuery client may have waiting; past it the socket is closed with 1013 (try again later), so memory stays flat.',
  }),
  option({
    key: 'batchMaxRequests',
    flag: '--batch-max-requests',
    env: 'STRATA_BATCH_MAX_REQUESTS',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 1_000_000 }),
    default: () => 1000,
    defaultText: '1000',
    description:
      'Most sub-requests in one `POST /batch` (master key exempt); over it → 107. SDKs send 20 to 50 per batch.',
  }),
  option({
    key: 'maxNestingDepth',
    flag: '--max-nesting-depth',
    env: 'STRATA_MAX_NESTING_DEPTH',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 1000 }),
    default: () => 64,
    defaultText: '64',
    description: 'Deepest nesting accepted in a JSON body or a `where` clause.',
  }),
  option({
    key: 'defaultLimit',
    flag: '--default-limit',
    env: 'STRATA_DEFAULT_LIMIT',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 1_000_000 }),
    default: () => 100,
    defaultText: '100',
    description: 'Results per query when the request sets no `limit`.',
  }),
  option({
    key: 'maxLimit',
    flag: '--max-limit',
    env: 'STRATA_MAX_LIMIT',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 1_000_000_000 }),
    defaultText: 'none',
    description: 'Highest `limit` honoured; larger values are clamped.',
  }),
  option({
    key: 'maxFieldsPerClass',
    flag: '--max-fields-per-class',
    env: 'STRATA_MAX_FIELDS_PER_CLASS',
    group: 'Limits',
    // SQLite gives each field a column and refuses a table past 2,000 of them (its compiled-in limit);
    // parse-server on Postgres stops at Postgres's 1,600 columns.
    kind: integerKind({ min: 10, max: 1900 }),
    default: () => 1000,
    defaultText: '1000',
    description:
      'Most fields one class may have, its default fields included (the master key too). A write or schema ' +
      'change adding fields past it → 255; the class stays usable. The default is below what a ' +
      'parse-server app on Postgres can have (1,600 columns), so data moved from one fits.',
  }),
  // Query complexity (issue 3); the master key is exempt, as in Parse.
  option({
    key: 'queryMaxBranches',
    flag: '--query-max-branches',
    env: 'STRATA_QUERY_MAX_BRANCHES',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 1_000_000 }),
    default: () => 500,
    defaultText: '500',
    description: 'Most elements in one `$or` / `$and` / `$nor` array of a `where` (master key exempt); over it → 102.',
  }),
  option({
    key: 'queryMaxInValues',
    flag: '--query-max-in-values',
    env: 'STRATA_QUERY_MAX_IN_VALUES',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 10_000_000 }),
    default: () => 10_000,
    defaultText: '10000',
    description:
      'Most values in one `$in` / `$nin` / `$all` / `$containedBy` array (master key exempt); over it → 102.',
  }),
  option({
    key: 'queryMaxRegexLength',
    flag: '--query-max-regex-length',
    env: 'STRATA_QUERY_MAX_REGEX_LENGTH',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 1_000_000 }),
    default: () => 1000,
    defaultText: '1000',
    description: 'Longest `$regex` pattern in characters (master key exempt); over it → 102.',
  }),
  option({
    key: 'querySubqueryDepth',
    flag: '--query-subquery-depth',
    env: 'STRATA_QUERY_SUBQUERY_DEPTH',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 100 }),
    default: () => 5,
    defaultText: '5',
    description:
      'Deepest nesting of `$inQuery` / `$notInQuery` / `$select` / `$dontSelect` sub-queries (master key exempt); over it → 102.',
  }),
  option({
    key: 'queryMaxCost',
    flag: '--query-max-cost',
    env: 'STRATA_QUERY_MAX_COST',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 100_000_000 }),
    default: () => 20_000,
    defaultText: '20000',
    description:
      'Most total cost of one `where`, sub-queries included (master key exempt): each constraint, `$in`-style value and `$or` branch costs 1, each sub-query 100, each `$regex` 10 per instruction of its compiled RE2 program; over it → 102.',
  }),
  option({
    key: 'allowPublicExplain',
    flag: '--allow-public-explain',
    env: 'STRATA_ALLOW_PUBLIC_EXPLAIN',
    group: 'Limits',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'Let requests without the master key use `explain` (the database plan of a find); otherwise → 102.',
  }),
  option({
    key: 'slowQueryMs',
    flag: '--slow-query-ms',
    env: 'STRATA_SLOW_QUERY_MS',
    group: 'Limits',
    kind: integerKind({ min: 0, max: 3_600_000 }),
    default: () => 200,
    defaultText: '200',
    description:
      "Finds slower than this (milliseconds) are recorded by shape with their query plan, for the dashboard's slow queries page (`GET /slowQueries`); 0 records every find.",
  }),
  option({
    key: 'idempotency',
    flag: '--idempotency',
    env: 'STRATA_IDEMPOTENCY',
    group: 'Limits',
    kind: booleanKind(),
    default: () => true,
    defaultText: 'true',
    description:
      'Run each write (POST/PUT/DELETE) carrying an `X-Parse-Request-Id` once: a repeat replays the first response (159 while it is still running).',
  }),
  option({
    key: 'idempotencyTtl',
    flag: '--idempotency-ttl',
    env: 'STRATA_IDEMPOTENCY_TTL',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 7 * 24 * 3600 }),
    default: () => 300,
    defaultText: '300',
    description: 'Seconds a request id is remembered for `--idempotency`.',
  }),
  // Files (issue 6, rest.md §10)
  option({
    key: 'filesAdapter',
    flag: '--files-adapter',
    env: 'STRATA_FILES_ADAPTER',
    group: 'Storage',
    kind: enumKind(['local', 'gridfs'] as const),
    defaultText: '`gridfs` with a MongoDB database, else `local`',
    description:
      "Where uploaded files live: `local` (a directory, `--files-directory`) or `gridfs` (the MongoDB database, parse-server's `fs` bucket).",
  }),
  option({
    key: 'filesDirectory',
    flag: '--files-directory',
    env: 'STRATA_FILES_DIRECTORY',
    group: 'Storage',
    kind: stringKind('<dir>'),
    default: ({ dataDir }) => `${dataDir}/files`,
    defaultText: '<data-dir>/files',
    description: 'Directory of the `local` files adapter.',
  }),
  option({
    key: 'filesEncryptionKey',
    flag: '--files-encryption-key',
    env: 'STRATA_FILES_ENCRYPTION_KEY',
    group: 'Storage',
    secret: true,
    kind: secret,
    defaultText: 'none',
    description:
      "GridFS only: encrypt stored files with this key (parse-server's `fileKey`, so its encrypted files are read).",
  }),
  option({
    key: 'maxUploadSize',
    flag: '--max-upload-size',
    env: 'STRATA_MAX_UPLOAD_SIZE',
    group: 'Limits',
    kind: sizeKind(),
    default: () => 20 * 1024 * 1024,
    defaultText: '20mb',
    description: 'Largest file upload (`512kb`, `20mb`, `1gb` or bytes), enforced while streaming; over it → 413.',
  }),
  option({
    key: 'fileUploadPublic',
    flag: '--file-upload-public',
    env: 'STRATA_FILE_UPLOAD_PUBLIC',
    group: 'Security',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'Let requests without a session upload files (the master key always may); otherwise → 130.',
  }),
  option({
    key: 'fileUploadAnonymous',
    flag: '--file-upload-anonymous',
    env: 'STRATA_FILE_UPLOAD_ANONYMOUS',
    group: 'Security',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'Let anonymous users (`authData.anonymous`) upload files; otherwise → 130.',
  }),
  option({
    key: 'fileUploadAuthenticated',
    flag: '--file-upload-authenticated',
    env: 'STRATA_FILE_UPLOAD_AUTHENTICATED',
    group: 'Security',
    kind: booleanKind(),
    default: () => true,
    defaultText: 'true',
    description: 'Let logged-in (non-anonymous) users upload files; otherwise → 130.',
  }),
  option({
    key: 'fileExtensions',
    flag: '--file-extensions',
    env: 'STRATA_FILE_EXTENSIONS',
    group: 'Security',
    kind: listKind({ placeholder: '<ext,...>', item: checkFileExtension }),
    defaultText: 'any except active content',
    description:
      'Extensions non-master uploads may have, e.g. `png,jpg,pdf` (`*`: any). Unset: any except active content (HTML, SVG, XML, JavaScript), which is refused (130); active content allowed here is served as an attachment.',
  }),
  option({
    key: 'preserveFileName',
    flag: '--preserve-file-name',
    env: 'STRATA_PRESERVE_FILE_NAME',
    group: 'Storage',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description:
      'Store uploads under their own name instead of `<32 hex>_<name>` (a later upload replaces an earlier one).',
  }),
  option({
    key: 'fileUrlSigningTtl',
    flag: '--file-url-signing-ttl',
    env: 'STRATA_FILE_URL_SIGNING_TTL',
    group: 'Security',
    kind: integerKind({ min: 1, max: 366 * 24 * 3600 }),
    defaultText: 'off',
    description:
      'Seconds a file URL stays valid: URLs get a signed `?token=` and downloads without a valid one → 403. Off: file URLs are public.',
  }),
  // Logging
  option({
    key: 'logLevel',
    flag: '--log-level',
    env: 'STRATA_LOG_LEVEL',
    group: 'Logging',
    kind: enumKind(LOG_LEVELS),
    default: () => 'info' as const,
    defaultText: 'info',
    description:
      'Log level. `info` logs one line per request (method, path with query parameter names only, status, duration, request id, Parse error code); `debug` adds stacks to start-up failures.',
  }),
  option({
    key: 'logFormat',
    flag: '--log-format',
    env: 'STRATA_LOG_FORMAT',
    group: 'Logging',
    kind: enumKind(LOG_FORMATS),
    defaultText: 'pretty on a terminal, else json',
    description: 'Log lines on stdout: `json` (one JSON object per line, for collectors) or `pretty` (for people).',
  }),
  // Dashboard
  option({
    key: 'dashboard',
    flag: '--dashboard',
    env: 'STRATA_DASHBOARD',
    group: 'Dashboard',
    kind: booleanKind(),
    default: () => true,
    defaultText: 'true',
    description: 'Serve the admin dashboard at `/dashboard` (api and all roles). Sign-in needs a dashboard user.',
  }),
  option({
    key: 'dashboardUsersFile',
    flag: '--dashboard-users-file',
    env: 'STRATA_DASHBOARD_USERS_FILE',
    group: 'Dashboard',
    kind: stringKind('<file>'),
    default: ({ dataDir }) => `${dataDir}/dashboard-users.json`,
    defaultText: '<data-dir>/dashboard-users.json',
    description: 'Dashboard users (bcrypt hashes), written by `strata dashboard-user add`; re-read when it changes.',
  }),
  option({
    key: 'dashboardApps',
    flag: '--dashboard-apps',
    env: 'STRATA_DASHBOARD_APPS',
    group: 'Dashboard',
    secret: true,
    kind: dashboardAppsKind(),
    defaultText: 'none',
    description:
      'Other apps in this dashboard: JSON `[{"appId","serverURL","masterKey","readOnlyMasterKey"?,"clientKey"?,"appName"?}]` (keys stay on the server).',
  }),
  option({
    key: 'pushConcurrency',
    flag: '--push-concurrency',
    env: 'STRATA_PUSH_CONCURRENCY',
    group: 'Push',
    kind: integerKind({ min: 1, max: 100 }),
    default: () => 2,
    defaultText: '2',
    description: 'Push parts a `worker` or `all` process delivers at once.',
  }),
  option({
    key: 'pushPageSize',
    flag: '--push-page-size',
    env: 'STRATA_PUSH_PAGE_SIZE',
    group: 'Push',
    kind: integerKind({ min: 1, max: 10_000 }),
    default: () => 500,
    defaultText: '500',
    description: 'Installations a push worker reads per page and hands to the providers per batch.',
  }),
  option({
    key: 'pushRateLimit',
    flag: '--push-rate-limit',
    env: 'STRATA_PUSH_RATE_LIMIT',
    group: 'Push',
    kind: integerKind({ min: 0, max: 1_000_000 }),
    default: () => 10_000,
    defaultText: '10000',
    description: 'Notifications per second each worker process sends to each provider (0: unlimited).',
  }),
  option({
    key: 'pushFcmServiceAccount',
    flag: '--push-fcm-service-account',
    env: 'STRATA_PUSH_FCM_SERVICE_ACCOUNT',
    group: 'Push',
    kind: stringKind('<file>'),
    defaultText: 'none',
    description:
      'Firebase service-account JSON file: Android (`android`, `fcm`) installations are pushed through FCM HTTP v1.',
  }),
  option({
    key: 'pushFcmUrl',
    flag: '--push-fcm-url',
    env: 'STRATA_PUSH_FCM_URL',
    group: 'Push',
    kind: uriKind({ placeholder: '<url>', prefixes: ['http://', 'https://'] }),
    default: () => 'https://fcm.googleapis.com',
    defaultText: 'https://fcm.googleapis.com',
    description:
      "FCM API base URL (a proxy or a test double); the OAuth token URL is the service account's `token_uri`.",
  }),
  option({
    key: 'pushApnsKey',
    flag: '--push-apns-key',
    env: 'STRATA_PUSH_APNS_KEY',
    group: 'Push',
    kind: stringKind('<file>'),
    defaultText: 'none',
    description: 'APNs token auth: the `.p8` signing key file (with `--push-apns-key-id` and `--push-apns-team-id`).',
  }),
  option({
    key: 'pushApnsKeyId',
    flag: '--push-apns-key-id',
    env: 'STRATA_PUSH_APNS_KEY_ID',
    group: 'Push',
    kind: stringKind('<id>'),
    defaultText: 'none',
    description: 'APNs token auth: the key id of `--push-apns-key`.',
  }),
  option({
    key: 'pushApnsTeamId',
    flag: '--push-apns-team-id',
    env: 'STRATA_PUSH_APNS_TEAM_ID',
    group: 'Push',
    kind: stringKind('<id>'),
    defaultText: 'none',
    description: 'APNs token auth: the Apple developer team id.',
  }),
  option({
    key: 'pushApnsCert',
    flag: '--push-apns-cert',
    env: 'STRATA_PUSH_APNS_CERT',
    group: 'Push',
    kind: stringKind('<file>'),
    defaultText: 'none',
    description:
      'APNs certificate auth: PEM file with the push certificate and its private key (instead of a `.p8` key).',
  }),
  option({
    key: 'pushApnsTopic',
    flag: '--push-apns-topic',
    env: 'STRATA_PUSH_APNS_TOPIC',
    group: 'Push',
    kind: stringKind('<bundle-id>'),
    defaultText: "none (each installation's appIdentifier)",
    description: "APNs topic (the app's bundle id) for installations without an `appIdentifier`.",
  }),
  option({
    key: 'pushApnsProduction',
    flag: '--push-apns-production',
    env: 'STRATA_PUSH_APNS_PRODUCTION',
    group: 'Push',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'Send to the production APNs (api.push.apple.com) rather than the sandbox.',
  }),
  option({
    key: 'pushApnsUrl',
    flag: '--push-apns-url',
    env: 'STRATA_PUSH_APNS_URL',
    group: 'Push',
    kind: uriKind({ placeholder: '<url>', prefixes: ['https://'] }),
    defaultText: "Apple's, by --push-apns-production",
    description: 'APNs base URL (a proxy or a test double).',
  }),
  option({
    key: 'pushCa',
    flag: '--push-ca',
    env: 'STRATA_PUSH_CA',
    group: 'Push',
    kind: stringKind('<file>'),
    defaultText: 'the system CAs',
    description: 'PEM file of an extra CA to trust for APNs and Web Push TLS (a proxy or a test double).',
  }),
  option({
    key: 'pushWebVapidPublicKey',
    flag: '--push-web-vapid-public-key',
    env: 'STRATA_PUSH_WEB_VAPID_PUBLIC_KEY',
    group: 'Push',
    kind: stringKind('<key>'),
    defaultText: 'none',
    description: 'Web Push: the VAPID public key (URL-safe base64), the one browsers subscribe with.',
  }),
  option({
    key: 'pushWebVapidPrivateKey',
    flag: '--push-web-vapid-private-key',
    env: 'STRATA_PUSH_WEB_VAPID_PRIVATE_KEY',
    group: 'Push',
    secret: true,
    kind: secret,
    defaultText: 'none',
    description: 'Web Push: the VAPID private key; with the public key and subject, `web` installations get Web Push.',
  }),
  option({
    key: 'pushWebVapidSubject',
    flag: '--push-web-vapid-subject',
    env: 'STRATA_PUSH_WEB_VAPID_SUBJECT',
    group: 'Push',
    kind: stringKind('<mailto-or-url>'),
    defaultText: 'none',
    description: 'Web Push: the VAPID subject, a `mailto:` address or URL push services may contact.',
  }),
  option({
    key: 'dashboardSessionTtl',
    flag: '--dashboard-session-ttl',
    env: 'STRATA_DASHBOARD_SESSION_TTL',
    group: 'Dashboard',
    kind: integerKind({ min: 60, max: 30 * 24 * 3600 }),
    default: () => 43_200,
    defaultText: '43200',
    description: 'Seconds a dashboard sign-in lasts.',
  }),
  option({
    key: 'dashboardSecret',
    flag: '--dashboard-secret',
    env: 'STRATA_DASHBOARD_SECRET',
    group: 'Dashboard',
    secret: true,
    kind: secret,
    defaultText: 'derived from the master key',
    description: 'Key that signs dashboard session cookies (every server of a deployment must share it).',
  }),
] as const;

/** One declared option, whichever. */
export type AnyOptionDeclaration = (typeof OPTIONS)[number];
/** The name of an option: a `Config` field. */
export type OptionKey = AnyOptionDeclaration['key'];

/** The declaration for a flag such as `--port`, if any. */
export function findOptionByFlag(flag: string): AnyOptionDeclaration | undefined {
  return OPTIONS.find((option) => option.flag === flag);
}
