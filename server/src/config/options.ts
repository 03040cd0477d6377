import type { Config, LogFormat, LogLevel, ServerRole } from './config.js';
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
 * Every Strata option, declared once. The parser, `strata --help` and the README's configuration table are
 * all generated from this list; add an option here and in `config.ts`, nowhere else.
 */
export type OptionKey = keyof Config;

export type OptionGroup = 'Server' | 'Storage' | 'Keys' | 'Security' | 'Email' | 'Limits' | 'Logging' | 'Dashboard';

/** Values a default may depend on (already resolved, absolute). */
export interface DefaultContext {
  readonly dataDir: string;
}

export interface OptionDeclaration<K extends OptionKey> {
  readonly key: K;
  readonly flag: `--${string}`;
  readonly env: string;
  /** Other env vars read when `env` is unset, in order (e.g. the conventional `PORT`). */
  readonly envFallbacks?: readonly string[];
  readonly kind: ValueKind<NonNullable<Config[K]>>;
  /** No default means the option stays unset (or, for keys, is generated on first start). */
  readonly default?: (context: DefaultContext) => NonNullable<Config[K]>;
  /** How the default reads in `--help` and the README. */
  readonly defaultText: string;
  readonly description: string;
  readonly group: OptionGroup;
  /** Never echoed back in logs or error messages. */
  readonly secret?: boolean;
}

/** One declaration of any option (a union over the keys keeps each declaration's kind and default typed). */
export type AnyOptionDeclaration = { [K in OptionKey]: OptionDeclaration<K> }[OptionKey];

const ROLES: readonly ServerRole[] = ['api', 'live', 'worker', 'all'];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json'];
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

export const OPTIONS: readonly AnyOptionDeclaration[] = [
  // Server
  {
    key: 'port',
    flag: '--port',
    env: 'STRATA_PORT',
    envFallbacks: ['PORT'],
    group: 'Server',
    kind: integerKind({ min: 0, max: 65535 }),
    default: () => 1337,
    defaultText: '1337',
    description: 'TCP port to listen on (0 picks a free port). `PORT` is read when `STRATA_PORT` is unset.',
  },
  {
    key: 'host',
    flag: '--host',
    env: 'STRATA_HOST',
    group: 'Server',
    kind: stringKind('<host>'),
    default: () => '0.0.0.0',
    defaultText: '0.0.0.0',
    description: 'Interface to bind.',
  },
  {
    key: 'mountPath',
    flag: '--mount-path',
    env: 'STRATA_MOUNT_PATH',
    group: 'Server',
    kind: mountPathKind(),
    default: () => '/parse',
    defaultText: '/parse',
    description: 'URL path the Parse API is served under.',
  },
  {
    key: 'role',
    flag: '--role',
    env: 'STRATA_ROLE',
    group: 'Server',
    kind: enumKind(ROLES),
    default: () => 'all',
    defaultText: 'all',
    description:
      'What this process runs: `api` (REST, GraphQL, files), `live` (LiveQuery), `worker` (queues, jobs) or `all`.',
  },
  {
    key: 'publicServerURL',
    flag: '--public-server-url',
    env: 'STRATA_PUBLIC_SERVER_URL',
    group: 'Server',
    kind: uriKind({ placeholder: '<url>', prefixes: ['http://', 'https://'] }),
    defaultText: 'derived from the request',
    description:
      'Public URL of the API including the mount path, e.g. `https://api.example.com/parse`; used in file URLs and emails.',
  },
  {
    key: 'cloud',
    flag: '--cloud',
    env: 'STRATA_CLOUD',
    group: 'Server',
    kind: stringKind('<file>'),
    defaultText: 'none',
    description: 'Path of the cloud code module to load (trusted code, runs in the server process).',
  },
  {
    key: 'dev',
    flag: '--dev',
    env: 'STRATA_DEV',
    group: 'Server',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description:
      "Development mode: run the server as a child process and restart it when a file under the `--cloud` module's directory changes.",
  },
  {
    key: 'cloudTimeout',
    flag: '--cloud-timeout',
    env: 'STRATA_CLOUD_TIMEOUT',
    group: 'Server',
    kind: integerKind({ min: 1, max: 24 * 3600 * 1000 }),
    default: () => 30_000,
    defaultText: '30000',
    description:
      'Milliseconds a cloud function or trigger may run before its request fails with 141 (the late result is ignored).',
  },
  {
    key: 'webhookTimeout',
    flag: '--webhook-timeout',
    env: 'STRATA_WEBHOOK_TIMEOUT',
    group: 'Server',
    kind: integerKind({ min: 1, max: 10 * 60 * 1000 }),
    default: () => 10_000,
    defaultText: '10000',
    description: 'Milliseconds to wait for a webhook (`/hooks`) to answer before its request fails with 141.',
  },
  {
    key: 'jobTimeout',
    flag: '--job-timeout',
    env: 'STRATA_JOB_TIMEOUT',
    group: 'Server',
    kind: integerKind({ min: 1, max: 24 * 3600 * 1000 }),
    default: () => 3_600_000,
    defaultText: '3600000',
    description:
      'Milliseconds a cloud job may run (unless it sets its own `timeoutMs`) before its signal is aborted and the attempt fails.',
  },
  {
    key: 'jobConcurrency',
    flag: '--job-concurrency',
    env: 'STRATA_JOB_CONCURRENCY',
    group: 'Server',
    kind: integerKind({ min: 1, max: 1000 }),
    default: () => 4,
    defaultText: '4',
    description: 'Cloud jobs a `worker` or `all` process runs at once.',
  },
  {
    key: 'jobLockDuration',
    flag: '--job-lock-duration',
    env: 'STRATA_JOB_LOCK_DURATION',
    group: 'Server',
    kind: integerKind({ min: 100, max: 24 * 3600 * 1000 }),
    default: () => 30_000,
    defaultText: '30000',
    description:
      "With Redis: milliseconds a worker's lock on a running job lasts without renewal (renewed while it runs). The job of a killed worker is run again once its lock lapses.",
  },
  {
    key: 'jobStalledInterval',
    flag: '--job-stalled-interval',
    env: 'STRATA_JOB_STALLED_INTERVAL',
    group: 'Server',
    kind: integerKind({ min: 100, max: 24 * 3600 * 1000 }),
    default: () => 30_000,
    defaultText: '30000',
    description:
      "With Redis: how often (ms) each worker looks for jobs whose lock lapsed and queues them again; a killed worker's job restarts within lock duration + 2 × this.",
  },
  {
    key: 'allowOrigin',
    flag: '--allow-origin',
    env: 'STRATA_ALLOW_ORIGIN',
    group: 'Server',
    kind: listKind({ placeholder: '<origin,...>' }),
    default: () => ['*'],
    defaultText: '*',
    description: 'Origins allowed by CORS.',
  },
  // Storage
  {
    key: 'dataDir',
    flag: '--data-dir',
    env: 'STRATA_DATA_DIR',
    group: 'Storage',
    kind: stringKind('<dir>'),
    default: () => './.strata',
    defaultText: './.strata',
    description: 'Directory for the SQLite database, local files and generated keys (`keys.json`).',
  },
  {
    key: 'databaseURI',
    flag: '--database-uri',
    env: 'STRATA_DATABASE_URI',
    group: 'Storage',
    kind: uriKind({ placeholder: '<uri>', prefixes: ['sqlite:', 'mongodb://', 'mongodb+srv://'] }),
    default: ({ dataDir }) => `sqlite:${dataDir}/strata.db`,
    defaultText: 'sqlite:<data-dir>/strata.db',
    description: '`sqlite:<path>` or `mongodb://...` (parse-server compatible layout).',
  },
  {
    key: 'databaseConnectTimeout',
    flag: '--database-connect-timeout',
    env: 'STRATA_DATABASE_CONNECT_TIMEOUT',
    group: 'Storage',
    kind: integerKind({ min: 100, max: 600_000 }),
    default: () => 5000,
    defaultText: '5000',
    description:
      'Milliseconds a start waits for MongoDB to answer before it stops with a message (once running, the driver waits its own 30 s for a server).',
  },
  {
    key: 'redisURL',
    flag: '--redis-url',
    env: 'STRATA_REDIS_URL',
    group: 'Storage',
    kind: uriKind({ placeholder: '<url>', prefixes: ['redis://', 'rediss://'] }),
    defaultText: 'none (in-process)',
    description: 'Redis for pub/sub, queues and shared caches; required when running several processes.',
  },
  // Keys
  {
    key: 'appId',
    flag: '--app-id',
    env: 'STRATA_APP_ID',
    group: 'Keys',
    kind: stringKind('<id>'),
    defaultText: 'generated on first start',
    description: 'Application id clients send in `X-Parse-Application-Id`.',
  },
  {
    key: 'masterKey',
    flag: '--master-key',
    env: 'STRATA_MASTER_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'generated on first start',
    description: 'Master key: bypasses ACLs and class-level permissions. Keep it on the server.',
  },
  {
    key: 'readOnlyMasterKey',
    flag: '--read-only-master-key',
    env: 'STRATA_READ_ONLY_MASTER_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'none',
    description: 'Master key that may read everything but write nothing.',
  },
  {
    key: 'maintenanceKey',
    flag: '--maintenance-key',
    env: 'STRATA_MAINTENANCE_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'none',
    description: 'Key for internal maintenance access (IP-restricted by `--maintenance-key-ips`).',
  },
  {
    key: 'clientKey',
    flag: '--client-key',
    env: 'STRATA_CLIENT_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'generated on first start',
    description: 'Client key (iOS, Android, Flutter; `X-Parse-Client-Key`).',
  },
  {
    key: 'javascriptKey',
    flag: '--javascript-key',
    env: 'STRATA_JAVASCRIPT_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'the generated client key',
    description: 'JavaScript key (`X-Parse-Javascript-Key`, `_JavaScriptKey`).',
  },
  {
    key: 'restAPIKey',
    flag: '--rest-api-key',
    env: 'STRATA_REST_API_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'the generated client key',
    description: 'REST API key (`X-Parse-REST-API-Key`).',
  },
  {
    key: 'dotNetKey',
    flag: '--dotnet-key',
    env: 'STRATA_DOTNET_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'the generated client key',
    description: '.NET / Unity key (`X-Parse-Windows-Key`).',
  },
  {
    key: 'webhookKey',
    flag: '--webhook-key',
    env: 'STRATA_WEBHOOK_KEY',
    group: 'Keys',
    secret: true,
    kind: secret,
    defaultText: 'none (a warning is logged)',
    description: 'Sent to webhooks as `X-Parse-Webhook-Key` so they can check a call comes from this server.',
  },
  // Security
  {
    key: 'allowClientClassCreation',
    flag: '--allow-client-class-creation',
    env: 'STRATA_ALLOW_CLIENT_CLASS_CREATION',
    group: 'Security',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'Let requests without the master key create new classes.',
  },
  {
    key: 'protectedFields',
    flag: '--protected-fields',
    env: 'STRATA_PROTECTED_FIELDS',
    group: 'Security',
    kind: protectedFieldsKind(),
    default: () => ({ _User: { '*': ['email'] } }),
    defaultText: '{"_User":{"*":["email"]}}',
    description:
      'JSON of fields hidden from non-master readers, per class and key (`*`, `authenticated`, `role:Name`, `userField:field`, user id); merged into each class CLP.',
  },
  {
    key: 'masterKeyIps',
    flag: '--master-key-ips',
    env: 'STRATA_MASTER_KEY_IPS',
    group: 'Security',
    kind: ips,
    default: () => ['127.0.0.1', '::1'],
    defaultText: '127.0.0.1,::1',
    description: 'IPs or CIDR ranges the master key is accepted from.',
  },
  {
    key: 'maintenanceKeyIps',
    flag: '--maintenance-key-ips',
    env: 'STRATA_MAINTENANCE_KEY_IPS',
    group: 'Security',
    kind: ips,
    default: () => ['127.0.0.1', '::1'],
    defaultText: '127.0.0.1,::1',
    description: 'IPs or CIDR ranges the maintenance key is accepted from.',
  },
  // Email (verification and password reset, spec/security.md §8-9)
  {
    key: 'appName',
    flag: '--app-name',
    env: 'STRATA_APP_NAME',
    group: 'Email',
    kind: stringKind('<name>'),
    defaultText: 'none',
    description: 'App name shown in emails and pages; email flows need it and `--public-server-url`.',
  },
  {
    key: 'emailAdapter',
    flag: '--email-adapter',
    env: 'STRATA_EMAIL_ADAPTER',
    group: 'Email',
    kind: enumKind(['log', 'smtp'] as const),
    default: () => 'log',
    defaultText: 'log',
    description: 'Where emails go: `log` (written to the server log, not sent) or `smtp`.',
  },
  {
    key: 'emailHost',
    flag: '--email-host',
    env: 'STRATA_EMAIL_HOST',
    group: 'Email',
    kind: stringKind('<host>'),
    defaultText: 'none',
    description: 'SMTP server host.',
  },
  {
    key: 'emailPort',
    flag: '--email-port',
    env: 'STRATA_EMAIL_PORT',
    group: 'Email',
    kind: integerKind({ min: 1, max: 65535 }),
    default: () => 587,
    defaultText: '587',
    description: 'SMTP server port.',
  },
  {
    key: 'emailSecure',
    flag: '--email-secure',
    env: 'STRATA_EMAIL_SECURE',
    group: 'Email',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'TLS from the first byte (port 465); otherwise STARTTLS when the server offers it.',
  },
  {
    key: 'emailUser',
    flag: '--email-user',
    env: 'STRATA_EMAIL_USER',
    group: 'Email',
    kind: stringKind('<user>'),
    defaultText: 'none',
    description: 'SMTP user name (no authentication when unset).',
  },
  {
    key: 'emailPass',
    flag: '--email-pass',
    env: 'STRATA_EMAIL_PASS',
    group: 'Email',
    secret: true,
    kind: secret,
    defaultText: 'none',
    description: 'SMTP password.',
  },
  {
    key: 'emailFrom',
    flag: '--email-from',
    env: 'STRATA_EMAIL_FROM',
    group: 'Email',
    kind: stringKind('<address>'),
    defaultText: 'none',
    description: 'From address of the emails, e.g. `"My App" <noreply@example.com>`; required for SMTP.',
  },
  {
    key: 'verifyUserEmails',
    flag: '--verify-user-emails',
    env: 'STRATA_VERIFY_USER_EMAILS',
    group: 'Email',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'Send a verification link when a user signs up with (or changes) an email.',
  },
  {
    key: 'preventLoginWithUnverifiedEmail',
    flag: '--prevent-login-with-unverified-email',
    env: 'STRATA_PREVENT_LOGIN_WITH_UNVERIFIED_EMAIL',
    group: 'Email',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description:
      'With `--verify-user-emails`: refuse log-in (205) until the email is verified; sign-up returns no session.',
  },
  {
    key: 'preventSignupWithUnverifiedEmail',
    flag: '--prevent-signup-with-unverified-email',
    env: 'STRATA_PREVENT_SIGNUP_WITH_UNVERIFIED_EMAIL',
    group: 'Email',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'With the two options above: the sign-up request itself answers 205 (the user is still created).',
  },
  {
    key: 'emailVerifyTokenValidityDuration',
    flag: '--email-verify-token-validity-duration',
    env: 'STRATA_EMAIL_VERIFY_TOKEN_VALIDITY_DURATION',
    group: 'Email',
    kind: integerKind({ min: 1, max: 1_000_000_000 }),
    defaultText: 'none (valid until used)',
    description: 'Seconds a verification link stays valid.',
  },
  {
    key: 'emailVerifySuccessOnInvalidEmail',
    flag: '--email-verify-success-on-invalid-email',
    env: 'STRATA_EMAIL_VERIFY_SUCCESS_ON_INVALID_EMAIL',
    group: 'Email',
    kind: booleanKind(),
    default: () => true,
    defaultText: 'true',
    description: 'Answer `{}` to a verification request for an unknown or verified email (no user enumeration).',
  },
  // Users (spec/security.md §7-8, rest.md §6.10)
  {
    key: 'accountLockout',
    flag: '--account-lockout',
    env: 'STRATA_ACCOUNT_LOCKOUT',
    group: 'Security',
    kind: accountLockoutKind(),
    defaultText: 'off',
    description:
      'JSON `{"duration":<minutes>,"threshold":<attempts>,"unlockOnPasswordReset":<bool>}`: lock an account after failed log-ins.',
  },
  {
    key: 'passwordPolicy',
    flag: '--password-policy',
    env: 'STRATA_PASSWORD_POLICY',
    group: 'Security',
    kind: passwordPolicyKind(),
    defaultText: 'none',
    description:
      'JSON with `validatorPattern`, `validationError`, `doNotAllowUsername`, `maxPasswordHistory`, `maxPasswordAge` (days), `resetTokenValidityDuration` (s), `resetTokenReuseIfValid`, `resetPasswordSuccessOnInvalidEmail`.',
  },
  {
    key: 'enableAnonymousUsers',
    flag: '--enable-anonymous-users',
    env: 'STRATA_ENABLE_ANONYMOUS_USERS',
    group: 'Security',
    kind: booleanKind(),
    default: () => true,
    defaultText: 'true',
    description: 'Allow sign-up with `authData.anonymous`.',
  },
  {
    key: 'authProviders',
    flag: '--auth-providers',
    env: 'STRATA_AUTH_PROVIDERS',
    group: 'Security',
    kind: authProvidersKind(),
    defaultText: 'none',
    description:
      'JSON of third-party log-in providers, e.g. `{"google":{"clientId":"..."},"apple":{"clientId":"..."}}`; other OpenID providers add `issuer` and `jwksUri`.',
  },
  // Passwords, sessions and log-in rate limits (spec/security.md §6, rest.md §6)
  {
    key: 'passwordHashCost',
    flag: '--password-hash-cost',
    env: 'STRATA_PASSWORD_HASH_COST',
    group: 'Security',
    kind: integerKind({ min: 4, max: 15 }),
    default: () => 10,
    defaultText: '10',
    description: 'bcrypt cost factor for new password hashes (each step doubles the hashing time).',
  },
  {
    key: 'sessionLength',
    flag: '--session-length',
    env: 'STRATA_SESSION_LENGTH',
    group: 'Security',
    kind: integerKind({ min: 1, max: 10 * 365 * 24 * 3600 }),
    default: () => 31_536_000,
    defaultText: '31536000 (1 year)',
    description: 'Seconds a new session stays valid (`expiresAt`); an expired token answers 209.',
  },
  {
    key: 'authRateLimit',
    flag: '--auth-rate-limit',
    env: 'STRATA_AUTH_RATE_LIMIT',
    group: 'Security',
    kind: integerKind({ min: 0, max: 1_000_000 }),
    default: () => 600,
    defaultText: '600',
    description:
      'Log-in, sign-up and password-reset requests allowed per client IP per window (0: no limit); over it → 429.',
  },
  {
    key: 'authRateLimitAccount',
    flag: '--auth-rate-limit-account',
    env: 'STRATA_AUTH_RATE_LIMIT_ACCOUNT',
    group: 'Security',
    kind: integerKind({ min: 0, max: 1_000_000 }),
    default: () => 60,
    defaultText: '60',
    description: 'The same requests allowed per username / email per window (0: no limit).',
  },
  {
    key: 'authRateLimitWindow',
    flag: '--auth-rate-limit-window',
    env: 'STRATA_AUTH_RATE_LIMIT_WINDOW',
    group: 'Security',
    kind: integerKind({ min: 1, max: 86_400 }),
    default: () => 60,
    defaultText: '60',
    description: 'Length of the rate-limit window in seconds (counters are shared through Redis when configured).',
  },
  // Limits
  {
    key: 'maxBodySize',
    flag: '--max-body-size',
    env: 'STRATA_MAX_BODY_SIZE',
    group: 'Limits',
    kind: sizeKind(),
    default: () => 20 * 1024 * 1024,
    defaultText: '20mb',
    description: 'Largest request body accepted (`512kb`, `20mb` or bytes).',
  },
  {
    key: 'maxNestingDepth',
    flag: '--max-nesting-depth',
    env: 'STRATA_MAX_NESTING_DEPTH',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 1000 }),
    default: () => 64,
    defaultText: '64',
    description: 'Deepest nesting accepted in a JSON body or a `where` clause.',
  },
  {
    key: 'defaultLimit',
    flag: '--default-limit',
    env: 'STRATA_DEFAULT_LIMIT',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 1_000_000 }),
    default: () => 100,
    defaultText: '100',
    description: 'Results per query when the request sets no `limit`.',
  },
  {
    key: 'maxLimit',
    flag: '--max-limit',
    env: 'STRATA_MAX_LIMIT',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 1_000_000_000 }),
    defaultText: 'none',
    description: 'Highest `limit` honoured; larger values are clamped.',
  },
  {
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
  },
  // Query complexity (issue 3); the master key is exempt, as in Parse.
  {
    key: 'queryMaxBranches',
    flag: '--query-max-branches',
    env: 'STRATA_QUERY_MAX_BRANCHES',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 1_000_000 }),
    default: () => 500,
    defaultText: '500',
    description: 'Most elements in one `$or` / `$and` / `$nor` array of a `where` (master key exempt); over it → 102.',
  },
  {
    key: 'queryMaxInValues',
    flag: '--query-max-in-values',
    env: 'STRATA_QUERY_MAX_IN_VALUES',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 10_000_000 }),
    default: () => 10_000,
    defaultText: '10000',
    description:
      'Most values in one `$in` / `$nin` / `$all` / `$containedBy` array (master key exempt); over it → 102.',
  },
  {
    key: 'queryMaxRegexLength',
    flag: '--query-max-regex-length',
    env: 'STRATA_QUERY_MAX_REGEX_LENGTH',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 1_000_000 }),
    default: () => 1000,
    defaultText: '1000',
    description: 'Longest `$regex` pattern in characters (master key exempt); over it → 102.',
  },
  {
    key: 'querySubqueryDepth',
    flag: '--query-subquery-depth',
    env: 'STRATA_QUERY_SUBQUERY_DEPTH',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 100 }),
    default: () => 5,
    defaultText: '5',
    description:
      'Deepest nesting of `$inQuery` / `$notInQuery` / `$select` / `$dontSelect` sub-queries (master key exempt); over it → 102.',
  },
  {
    key: 'queryMaxCost',
    flag: '--query-max-cost',
    env: 'STRATA_QUERY_MAX_COST',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 100_000_000 }),
    default: () => 20_000,
    defaultText: '20000',
    description:
      'Most total cost of one `where`, sub-queries included (master key exempt): each constraint, `$in`-style value and `$or` branch costs 1, each sub-query 100, each `$regex` 10 per instruction of its compiled RE2 program; over it → 102.',
  },
  {
    key: 'allowPublicExplain',
    flag: '--allow-public-explain',
    env: 'STRATA_ALLOW_PUBLIC_EXPLAIN',
    group: 'Limits',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'Let requests without the master key use `explain` (the database plan of a find); otherwise → 102.',
  },
  {
    key: 'idempotency',
    flag: '--idempotency',
    env: 'STRATA_IDEMPOTENCY',
    group: 'Limits',
    kind: booleanKind(),
    default: () => true,
    defaultText: 'true',
    description:
      'Run each write (POST/PUT/DELETE) carrying an `X-Parse-Request-Id` once: a repeat replays the first response (159 while it is still running).',
  },
  {
    key: 'idempotencyTtl',
    flag: '--idempotency-ttl',
    env: 'STRATA_IDEMPOTENCY_TTL',
    group: 'Limits',
    kind: integerKind({ min: 1, max: 7 * 24 * 3600 }),
    default: () => 300,
    defaultText: '300',
    description: 'Seconds a request id is remembered for `--idempotency`.',
  },
  // Files (issue 6, rest.md §10)
  {
    key: 'filesAdapter',
    flag: '--files-adapter',
    env: 'STRATA_FILES_ADAPTER',
    group: 'Storage',
    kind: enumKind(['local', 'gridfs'] as const),
    defaultText: '`gridfs` with a MongoDB database, else `local`',
    description:
      "Where uploaded files live: `local` (a directory, `--files-directory`) or `gridfs` (the MongoDB database, parse-server's `fs` bucket).",
  },
  {
    key: 'filesDirectory',
    flag: '--files-directory',
    env: 'STRATA_FILES_DIRECTORY',
    group: 'Storage',
    kind: stringKind('<dir>'),
    default: ({ dataDir }) => `${dataDir}/files`,
    defaultText: '<data-dir>/files',
    description: 'Directory of the `local` files adapter.',
  },
  {
    key: 'filesEncryptionKey',
    flag: '--files-encryption-key',
    env: 'STRATA_FILES_ENCRYPTION_KEY',
    group: 'Storage',
    secret: true,
    kind: secret,
    defaultText: 'none',
    description:
      "GridFS only: encrypt stored files with this key (parse-server's `fileKey`, so its encrypted files are read).",
  },
  {
    key: 'maxUploadSize',
    flag: '--max-upload-size',
    env: 'STRATA_MAX_UPLOAD_SIZE',
    group: 'Limits',
    kind: sizeKind(),
    default: () => 20 * 1024 * 1024,
    defaultText: '20mb',
    description: 'Largest file upload (`512kb`, `20mb`, `1gb` or bytes), enforced while streaming; over it → 413.',
  },
  {
    key: 'fileUploadPublic',
    flag: '--file-upload-public',
    env: 'STRATA_FILE_UPLOAD_PUBLIC',
    group: 'Security',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'Let requests without a session upload files (the master key always may); otherwise → 130.',
  },
  {
    key: 'fileUploadAnonymous',
    flag: '--file-upload-anonymous',
    env: 'STRATA_FILE_UPLOAD_ANONYMOUS',
    group: 'Security',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description: 'Let anonymous users (`authData.anonymous`) upload files; otherwise → 130.',
  },
  {
    key: 'fileUploadAuthenticated',
    flag: '--file-upload-authenticated',
    env: 'STRATA_FILE_UPLOAD_AUTHENTICATED',
    group: 'Security',
    kind: booleanKind(),
    default: () => true,
    defaultText: 'true',
    description: 'Let logged-in (non-anonymous) users upload files; otherwise → 130.',
  },
  {
    key: 'fileExtensions',
    flag: '--file-extensions',
    env: 'STRATA_FILE_EXTENSIONS',
    group: 'Security',
    kind: listKind({ placeholder: '<ext,...>', item: checkFileExtension }),
    defaultText: 'any except active content',
    description:
      'Extensions non-master uploads may have, e.g. `png,jpg,pdf` (`*`: any). Unset: any except active content (HTML, SVG, XML, JavaScript), which is refused (130); active content allowed here is served as an attachment.',
  },
  {
    key: 'preserveFileName',
    flag: '--preserve-file-name',
    env: 'STRATA_PRESERVE_FILE_NAME',
    group: 'Storage',
    kind: booleanKind(),
    default: () => false,
    defaultText: 'false',
    description:
      'Store uploads under their own name instead of `<32 hex>_<name>` (a later upload replaces an earlier one).',
  },
  {
    key: 'fileUrlSigningTtl',
    flag: '--file-url-signing-ttl',
    env: 'STRATA_FILE_URL_SIGNING_TTL',
    group: 'Security',
    kind: integerKind({ min: 1, max: 366 * 24 * 3600 }),
    defaultText: 'off',
    description:
      'Seconds a file URL stays valid: URLs get a signed `?token=` and downloads without a valid one → 403. Off: file URLs are public.',
  },
  // Logging
  {
    key: 'logLevel',
    flag: '--log-level',
    env: 'STRATA_LOG_LEVEL',
    group: 'Logging',
    kind: enumKind(LOG_LEVELS),
    default: () => 'info',
    defaultText: 'info',
    description:
      'Log level. `info` logs one line per request (method, path with query parameter names only, status, duration, request id, Parse error code); `debug` adds stacks to start-up failures.',
  },
  {
    key: 'logFormat',
    flag: '--log-format',
    env: 'STRATA_LOG_FORMAT',
    group: 'Logging',
    kind: enumKind(LOG_FORMATS),
    defaultText: 'pretty on a terminal, else json',
    description: 'Log lines on stdout: `json` (one JSON object per line, for collectors) or `pretty` (for people).',
  },
  // Dashboard
  {
    key: 'dashboard',
    flag: '--dashboard',
    env: 'STRATA_DASHBOARD',
    group: 'Dashboard',
    kind: booleanKind(),
    default: () => true,
    defaultText: 'true',
    description: 'Serve the admin dashboard at `/dashboard` (api and all roles). Sign-in needs a dashboard user.',
  },
  {
    key: 'dashboardUsersFile',
    flag: '--dashboard-users-file',
    env: 'STRATA_DASHBOARD_USERS_FILE',
    group: 'Dashboard',
    kind: stringKind('<file>'),
    default: ({ dataDir }) => `${dataDir}/dashboard-users.json`,
    defaultText: '<data-dir>/dashboard-users.json',
    description: 'Dashboard users (bcrypt hashes), written by `strata dashboard-user add`; re-read when it changes.',
  },
  {
    key: 'dashboardApps',
    flag: '--dashboard-apps',
    env: 'STRATA_DASHBOARD_APPS',
    group: 'Dashboard',
    secret: true,
    kind: dashboardAppsKind(),
    defaultText: 'none',
    description:
      'Other apps in this dashboard: JSON `[{"appId","serverURL","masterKey","readOnlyMasterKey"?,"appName"?}]` (keys stay on the server).',
  },
  {
    key: 'dashboardSessionTtl',
    flag: '--dashboard-session-ttl',
    env: 'STRATA_DASHBOARD_SESSION_TTL',
    group: 'Dashboard',
    kind: integerKind({ min: 60, max: 30 * 24 * 3600 }),
    default: () => 43_200,
    defaultText: '43200',
    description: 'Seconds a dashboard sign-in lasts.',
  },
  {
    key: 'dashboardSecret',
    flag: '--dashboard-secret',
    env: 'STRATA_DASHBOARD_SECRET',
    group: 'Dashboard',
    secret: true,
    kind: secret,
    defaultText: 'derived from the master key',
    description: 'Key that signs dashboard session cookies (every server of a deployment must share it).',
  },
];

/** The declaration for a flag such as `--port`, if any. */
export function findOptionByFlag(flag: string): AnyOptionDeclaration | undefined {
  return OPTIONS.find((option) => option.flag === flag);
}
