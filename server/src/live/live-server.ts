import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { CLOSE_CODE, eventBody } from './frames.js';
import { EventHooks } from './event-hooks.js';
import { ResumeWindow } from './resume.js';
import type { KeptEvent } from './resume.js';
import { ResumeHandoff } from './handoff.js';
import { LiveConnection } from './connection.js';
import type { ConnectionContext } from './connection.js';
import { Heartbeat, UpgradeLimit } from '../lib/index.js';
import type { PubSub } from '../infra/index.js';

export interface LiveServerOptions extends Omit<ConnectionContext, 'resume' | 'handoff' | 'deliver' | 'counts'> {
  /** The fields of a class (afterLiveQueryEvent's answer may not bring back one the subscriber was not given). */
  readonly classFields?: (className: string) => Promise<ReadonlySet<string>>;
  /** How long a dropped socket's subscriptions are kept for a resume (0: not at all). */
  readonly resumeWindowMs: number;
  /** Events kept per subscription for a resume. */
  readonly resumeMaxEvents: number;
  /**
   * The pub/sub shared with the other live servers (Redis, cluster workers): a resume that reaches this server
   * for another's subscription is handed over (`handoff.ts`). Absent: resumes find this server's only.
   * `graceMs`: on close, how long the dropped sockets' subscriptions stay for other servers to take over.
   */
  readonly handoffVia?: { readonly pubsub: PubSub; readonly timeoutMs: number; readonly graceMs?: number };
  /** Ping interval; a client that has not answered the previous ping is cut (Parse's `websocketTimeout`). */
  readonly pingIntervalMs: number;
  /** Largest client frame in bytes; a bigger one closes the socket with 1009. */
  readonly maxFrameBytes: number;
  /** Open sockets one client address may hold; more are refused with HTTP 429 before the upgrade. */
  readonly maxConnectionsPerIp: number;
  /** The client address of an upgrade request (honours `--trust-proxy`). */
  readonly clientAddress: (req: IncomingMessage) => string | undefined;
}

/**
 * Parse's LiveQuery WebSocket server: upgrades on any path of the HTTP server it is attached to (the REST
 * port by default) and, optionally, on a port of its own. Each socket is a `LiveConnection`; the events come
 * from the hub. Dead peers are found by ping/pong and cut.
 *
 * @example
 * const live = new LiveServer({ hub, credentials, authenticate, ... });
 * live.attach(httpServer);
 */
export class LiveServer {
  readonly #options: ConnectionContext & LiveServerOptions;
  readonly #resume: ResumeWindow;
  readonly #handoff: ResumeHandoff | undefined;
  readonly #wss: WebSocketServer;
  readonly #upgrades: UpgradeLimit;
  readonly #connections = new Map<WebSocket, LiveConnection>();
  readonly #own: Server[] = [];
  /** Dead peers are cut (Parse's `websocketTimeout`), the sockets pinged a slice at a time. */
  readonly #heartbeat: Heartbeat<WebSocket>;
  #closing = false;

  constructor(options: LiveServerOptions) {
    this.#upgrades = new UpgradeLimit(options.maxConnectionsPerIp);
    // The hub hands one event object to every subscription of a group: it is encoded once for all of them.
    const bodies = new WeakMap<object, KeptEvent['body']>();
    this.#resume = new ResumeWindow({
      windowMs: options.resumeWindowMs,
      maxEvents: options.resumeMaxEvents,
      encode: (event) => {
        let body = bodies.get(event);
        if (body === undefined) {
          body = eventBody({ op: event.op, object: event.object, original: event.original, encode: options.encode });
          bodies.set(event, body);
        }
        return body;
      },
    });
    const resume = this.#resume;
    this.#handoff =
      options.handoffVia === undefined || options.resumeWindowMs <= 0
        ? undefined
        : new ResumeHandoff({ ...options.handoffVia, window: resume, logger: options.logger });
    const hooks = options.hooks;
    const events =
      hooks === undefined
        ? undefined
        : new EventHooks({
            hooks,
            resume,
            logger: options.logger,
            counts: () => this.#counts(),
            classFields: options.classFields ?? (() => Promise.resolve(new Set<string>())),
            encode: (event) =>
              eventBody({ op: event.op, object: event.object, original: event.original, encode: options.encode }),
          });
    this.#options = {
      ...options,
      resume,
      ...(this.#handoff === undefined ? {} : { handoff: this.#handoff }),
      deliver:
        events === undefined
          ? (state, event) => resume.route(state, event)
          : (state, event) => events.deliver(state, event),
      counts: () => this.#counts(),
    };
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes, perMessageDeflate: false });
    this.#heartbeat = new Heartbeat({ intervalMs: options.pingIntervalMs });
    options.metrics?.sample(() => ({ connections: this.#connections.size, subscriptions: options.hub.countByClass() }));
  }

  /** Open sockets. */
  get connections(): number {
    return this.#connections.size;
  }

  #counts(): { clients: number; subscriptions: number } {
    return { clients: this.#connections.size, subscriptions: this.#options.hub.size };
  }

  /** Serves WebSocket upgrades on every path of `server`. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** Listens on a port of its own (`--live-query-port`); resolves with the bound port. */
  listen(options: { port: number; host: string }): Promise<number> {
    const server = createServer((_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain' }).end('LiveQuery: upgrade to WebSocket\n');
    });
    this.attach(server);
    this.#own.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  /**
   * Closes every socket (1001) and the own port. With a hand-off grace, the subscriptions of those sockets stay
   * (new upgrades refused) until other live servers have taken them over or the grace ends, so clients that
   * reconnect elsewhere during a rolling restart resume instead of resyncing.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.#heartbeat.close();
    for (const [socket, connection] of this.#connections) {
      connection.close();
      socket.close(CLOSE_CODE.GOING_AWAY, 'server shutting down');
      setTimeout(() => socket.terminate(), 1000).unref();
    }
    const graceMs = this.#options.handoffVia?.graceMs ?? 0;
    if (this.#handoff !== undefined && graceMs > 0) await this.#resume.emptied(graceMs);
    this.#handoff?.close();
    this.#resume.close();
    this.#wss.close();
    await Promise.all(
      this.#own.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  /** Takes one upgrade request (for a server whose upgrades are shared with GraphQL's sockets). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const ip = this.#options.clientAddress(req);
    if (!this.#upgrades.admit(ip, socket)) return;
    // No closure here may name `req`: they share one context, and the error listener lives as long as the
    // socket, so the whole request (raw headers included, ~1.5 KB) would be kept for every open socket.
    const headers = req.headers;
    socket.on('error', () => socket.destroy());
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, ip, headers));
  }

  #accept(ws: WebSocket, ip: string | undefined, headers: IncomingMessage['headers']): void {
    const connection = new LiveConnection({ socket: ws, context: this.#options, ip, headers });
    this.#connections.set(ws, connection);
    this.#heartbeat.add(ws);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        connection.receive('\u0000binary');
        return;
      }
      connection.receive(rawText(data));
    });
    ws.on('error', (err) => this.#options.logger.debug({ err }, 'LiveQuery socket error'));
    ws.on('close', () => {
      this.#heartbeat.delete(ws);
      this.#connections.delete(ws);
      connection.close();
    });
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
