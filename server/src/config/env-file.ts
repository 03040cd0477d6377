import { randomHex, randomString } from '../lib/index.js';

/**
 * `strata init-env`: the `.env` file `docker-compose.yml` reads, with fresh secrets for Strata's keys,
 * MongoDB's users and replica-set key, Redis and the metrics endpoint. Pure apart from the random generator;
 * main.ts writes the file (mode 0600, never over an existing one unless `--force`).
 */
export interface EnvFileSettings {
  /** The URL clients use, e.g. `https://api.example.com/parse` (file URLs, emails, LiveQuery). */
  readonly publicServerURL: string;
  /** Host port the gateway publishes. */
  readonly httpPort: number;
}

/** The variables `docker-compose.yml` requires, in the order the file lists them. */
export const ENV_FILE_SECRETS = [
  'STRATA_APP_ID',
  'STRATA_MASTER_KEY',
  'STRATA_CLIENT_KEY',
  'STRATA_METRICS_KEY',
  'MONGO_ROOT_PASSWORD',
  'MONGO_APP_PASSWORD',
  'MONGO_REPLICA_SET_KEY',
  'REDIS_PASSWORD',
] as const;

/** Renders a complete `.env` with new secrets. Every secret is [A-Za-z0-9] only: safe inside URIs. */
export function renderEnvFile(options: { settings: EnvFileSettings; now: Date }): string {
  const { settings } = options;
  const lines = [
    `# Strata deployment settings and secrets, written by \`strata init-env\` on ${options.now.toISOString()}.`,
    '# Read by docker-compose.yml (its ${...} values) and by every Strata server (any STRATA_* option, see',
    '# `strata --help`). Keep it out of version control and readable only by the deploying user.',
    '',
    '# ---- Strata ----',
    `STRATA_APP_ID=strata-${randomString(12)}`,
    `STRATA_MASTER_KEY=${randomHex(32)}`,
    `STRATA_CLIENT_KEY=${randomHex(24)}`,
    '# Prometheus scrapes each app server with `Authorization: Bearer <this key>` (the gateway refuses /metrics).',
    `STRATA_METRICS_KEY=${randomHex(24)}`,
    `STRATA_PUBLIC_SERVER_URL=${settings.publicServerURL}`,
    '# Where the master key is accepted from (the real client address, as the gateway reports it).',
    'STRATA_MASTER_KEY_IPS=127.0.0.1,::1',
    'STRATA_LOG_LEVEL=info',
    '',
    '# ---- gateway ----',
    `HTTP_PORT=${settings.httpPort}`,
    '',
    '# ---- MongoDB (one-node replica set) ----',
    'MONGO_DATABASE=strata',
    'MONGO_ROOT_USER=root',
    `MONGO_ROOT_PASSWORD=${randomString(32)}`,
    'MONGO_APP_USER=strata',
    `MONGO_APP_PASSWORD=${randomString(32)}`,
    '# The replica set members authenticate to each other with this key (6 to 1024 base64 characters).',
    `MONGO_REPLICA_SET_KEY=${randomString(96)}`,
    '',
    '# ---- Redis ----',
    `REDIS_PASSWORD=${randomString(32)}`,
    '',
  ];
  return lines.join('\n');
}
