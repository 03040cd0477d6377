/**
 * A real HTTP proxy in front of a real Strata server that misbehaves on request, for the transport's
 * resilience tests: drop the connection before or after the server answered (a lost response), answer
 * with a given status instead of forwarding, cut the answer's body short, or never answer. It records every request it sees.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Fault =
  | 'pass'
  | 'reset'
  | 'lose-response'
  | 'truncate'
  | 'hang'
  | { status: number; body: unknown; headers?: Record<string, string> };

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly requestId: string | undefined;
}

export interface FaultProxy {
  readonly serverURL: string;
  readonly seen: SeenRequest[];
  /** Faults for the next requests, in order; afterwards requests pass. */
  plan(...faults: Fault[]): void;
  /** Forgets what was seen and any faults a test planned but did not use. */
  reset(): void;
  close(): Promise<void>;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(options: { target: URL; req: IncomingMessage; body: Buffer }): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  const { target, req, body } = options;
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (res) => {
        readAll(res).then(
          (data) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: data }),
          reject,
        );
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

export async function startFaultProxy(upstreamURL: string): Promise<FaultProxy> {
  const target = new URL(upstreamURL);
  const seen: SeenRequest[] = [];
  const queue: Fault[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const fault = queue.shift() ?? 'pass';
      const requestId = req.headers['x-parse-request-id'];
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        requestId: typeof requestId === 'string' ? requestId : undefined,
      });
      if (fault === 'reset') return req.socket.destroy();
      if (fault === 'hang') return;
      const body = await readAll(req);
      if (typeof fault === 'object') {
        res.writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers });
        return res.end(JSON.stringify(fault.body));
      }
      const answer = await forward({ target, req, body });
      if (fault === 'lose-response') return req.socket.destroy();
      if (fault === 'truncate') {
        // The status and headers arrive, then the connection dies halfway through the body.
        res.writeHead(answer.status, {
          'content-type': 'application/json',
          'content-length': String(answer.body.length),
        });
        res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
        return setTimeout(() => req.socket.destroy(), 20);
      }
      const headers = { ...answer.headers };
      delete headers['transfer-encoding'];
      delete headers['connection'];
      res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
      res.end(answer.body);
    })().catch(() => req.socket.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    serverURL: `http://127.0.0.1:${port}${target.pathname}`,
    seen,
    plan: (...faults) => {
      queue.push(...faults);
    },
    reset: () => {
      queue.length = 0;
      seen.length = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
