import type { Config, LogLevel, ServerRole } from './config.js';
import type { ValueKind } from './option-types.js';
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

export type OptionGroup = 'Server' | 'Storage' | 'Keys' | 'Security' | 'Limits' | 'Logging';

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
const ips = listKind({ placeholder: '<ip,...>', item: checkIpOrCidr });
const secret = stringKind('<key>');

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
      'Log level. Logs are JSON lines on stdout (pretty when stdout is a terminal and pino-pretty is installed).',
  },
];

/** The declaration for a flag such as `--port`, if any. */
export function findOptionByFlag(flag: string): AnyOptionDeclaration | undefined {
  return OPTIONS.find((option) => option.flag === flag);
}
