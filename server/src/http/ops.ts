import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../infra/index.js';
import { IpAllowList } from '../auth/index.js';
import { sendError, sendJson } from './send.js';

/**
 * The operations endpoints, answered before any Parse credential check: `/health` (liveness: the process
 * answers), `/ready` (readiness: the database, Redis and the queue answer, and the server is not draining)
 * and `/metrics` (Prometheus text, for the metrics key or the metrics IPs only). They sit at the listener's
 * root, outside the Parse mount, so a load balancer or Prometheus needs no app id; when Strata is mounted
 * in an express app, its root is the mount.
 */
export interface OpsOptions {
  /** The readiness checks by name (`database`, `redis`, `queue`); each rejects when its service is down. */
  readonly checks: Readonly<Record<string, () => Promise<unknown>>>;
  /** True once the server is stopping: `/ready` answers 503 so load balancers stop sending requests. */
  readonly draining: () => boolean;
  /** The Prometheus exposition; absent: `/metrics` answers 404. */
  readonly metrics?: () => Promise<{ contentType: string; body: string }>;
  /** Bearer token accepted by `/metrics`. */
  readonly metricsKey?: string;
  /** Addresses allowed to read `/metrics` without the key. */
  readonly metricsIps: readonly string[];
  /** How long one readiness check may take before it counts as down. */
  readonly checkTimeoutMs?: number;
}

export type OpsPath = '/health' | '/ready' | '/metrics';

const OPS_PATHS: ReadonlySet<string> = new Set<OpsPath>(['/health', '/ready', '/metrics']);

export function isOpsPath(path: string): path is OpsPath {
  return OPS_PATHS.has(path);
}

export class OpsEndpoints {
  readonly #options: OpsOptions;
  readonly #metricsIps: IpAllowList;
  readonly #key: Buffer | undefined;

  constructor(options: OpsOptions) {
    this.#options = options;
    this.#metricsIps = new IpAllowList(options.metricsIps);
    this.#key = options.metricsKey === undefined ? undefined : Buffer.from(options.metricsKey);
  }

  /** Answers one ops request; `ip` is the client address as `--trust-proxy` resolved it. */
  async handle(http: {
    req: IncomingMessage;
    res: ServerResponse;
    path: OpsPath;
    ip: string | undefined;
    log: Logger;
  }): Promise<void> {
    const { req, res, path } = http;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, {
        status: 405,
        body: { error: `Cannot ${req.method ?? 'GET'} ${path}` },
        headers: { Allow: 'GET, HEAD' },
      });
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    if (path === '/health') return sendJson(res, { body: { status: 'ok' } });
    if (path === '/ready') return this.#ready(res, http.log);
    return this.#metrics(http);
  }

  async #ready(res: ServerResponse, log: Logger): Promise<void> {
    const timeoutMs = this.#options.checkTimeoutMs ?? 2000;
    const entries = await Promise.all(
      Object.entries(this.#options.checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), timeoutMs);
          return [name, 'ok'] as const;
        } catch (err) {
          // The cause goes to the log only: /ready is reachable without credentials.
          log.warn({ err, check: name }, 'readiness check failed');
          return [name, 'unavailable'] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const draining = this.#options.draining();
    const ready = !draining && entries.every(([, state]) => state === 'ok');
    sendJson(res, {
      status: ready ? 200 : 503,
      body: { status: draining ? 'draining' : ready ? 'ready' : 'unavailable', checks },
    });
  }

  async #metrics(http: {
    req: IncomingMessage;
    res: ServerResponse;
    ip: string | undefined;
    log: Logger;
  }): Promise<void> {
    const render = this.#options.metrics;
    if (render === undefined) return sendJson(http.res, { status: 404, body: { error: 'Cannot GET /metrics' } });
    if (!this.#keyMatches(http.req.headers.authorization) && !this.#metricsIps.allows(http.ip)) {
      return sendJson(http.res, { status: 403, body: { error: 'unauthorized' } });
    }
    let rendered: { contentType: string; body: string };
    try {
      rendered = await render();
    } catch (err) {
      // The registry loads on the first scrape (infra/metrics.ts): a failure is a 500, never a hung scrape.
      return sendError({ res: http.res, err, log: http.log });
    }
    const { contentType, body } = rendered;
    http.res.statusCode = 200;
    http.res.setHeader('Content-Type', contentType);
    http.res.setHeader('Content-Length', Buffer.byteLength(body));
    http.res.end(http.req.method === 'HEAD' ? undefined : body);
  }

  #keyMatches(authorization: string | undefined): boolean {
    if (this.#key === undefined || authorization === undefined) return false;
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match === null) return false;
    const presented = Buffer.from(match[1] as string);
    return presented.length === this.#key.length && timingSafeEqual(presented, this.#key);
  }
}

function withTimeout(work: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
