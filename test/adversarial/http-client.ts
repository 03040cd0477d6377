/**
 * The fuzzer's HTTP client: raw requests over a keep-alive agent to a server on loopback, so each request
 * costs a round trip and nothing else. A request still unanswered after `hangMs` is recorded as a hang and
 * its socket destroyed; the caller decides what a hang means.
 */
import { Agent, request as httpRequest } from 'node:http';

export interface RawRequest {
  readonly method: string;
  /** Path and query string after the host, e.g. `/parse/classes/A?where=…`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export interface RawResponse {
  /** 0 when the request hung or the connection failed. */
  readonly status: number;
  readonly body: string;
  /** The answer's raw bytes and headers (absent when there was no answer). */
  readonly bytes?: Buffer;
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  readonly hung: boolean;
  /** Milliseconds from sending to the end of the answer. */
  readonly ms: number;
  /** Set when the connection failed (reset, refused) rather than answered. */
  readonly error?: string;
}

export class FuzzClient {
  private readonly agent: Agent;

  constructor(
    private readonly options: {
      readonly host: string;
      readonly port: number;
      readonly hangMs: number;
      readonly sockets: number;
    },
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.sockets });
  }

  send(request: RawRequest): Promise<RawResponse> {
    return new Promise((resolve) => {
      let settled = false;
      const started = performance.now();
      const finish = (response: Omit<RawResponse, 'ms'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...response, ms: performance.now() - started });
      };
      const headers: Record<string, string | number> = { ...request.headers };
      if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body);
      let req: ReturnType<typeof httpRequest>;
      try {
        req = httpRequest(
          {
            host: this.options.host,
            port: this.options.port,
            method: request.method,
            path: request.path,
            headers,
            agent: this.agent,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              const bytes = Buffer.concat(chunks);
              finish({
                status: res.statusCode ?? 0,
                body: bytes.toString('utf8'),
                bytes,
                headers: res.headers,
                hung: false,
              });
            });
            res.on('error', (err) => finish({ status: 0, body: '', hung: false, error: err.message }));
          },
        );
      } catch (err) {
        // Node refuses to send some generated input (a bad header character): nothing reached the server.
        settled = true;
        resolve({ status: -1, body: '', hung: false, ms: 0, error: `not sent: ${(err as Error).message}` });
        return;
      }
      const timer = setTimeout(() => {
        finish({ status: 0, body: '', hung: true });
        req.destroy();
      }, this.options.hangMs);
      req.on('error', (err) => finish({ status: 0, body: '', hung: false, error: err.message }));
      if (request.body !== undefined) req.write(request.body);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
