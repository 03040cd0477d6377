/**
 * A real HTTP server standing in for a developer's webhook endpoint: it records every request (method, path,
 * headers, JSON body) and answers with what the test sets per path. Listens on 127.0.0.1, port 0.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCall {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** How the target answers one path: a JSON value, raw text, or a function of the request. */
export type Answer =
  | { readonly json: unknown; readonly status?: number }
  | {
      readonly text: string;
      readonly status?: number;
      readonly contentType?: string;
      readonly headers?: Record<string, string>;
    }
  | { readonly hang: true }
  | ((call: ReceivedCall) => { json: unknown; status?: number });

export interface WebhookTarget {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly calls: ReceivedCall[];
  /** The calls made to one path. */
  callsTo(path: string): ReceivedCall[];
  answer(path: string, answer: Answer): void;
  close(): Promise<void>;
}

export async function startWebhookTarget(): Promise<WebhookTarget> {
  const answers = new Map<string, Answer>();
  const calls: ReceivedCall[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { unparsed: text };
      }
      const path = req.url ?? '/';
      const call: ReceivedCall = { method: req.method ?? '', path, headers: req.headers, body };
      calls.push(call);
      const answer = answers.get(path) ?? { json: { success: null } };
      if (typeof answer === 'function') {
        const { json, status } = answer(call);
        res.writeHead(status ?? 200, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
      } else if ('hang' in answer) {
        hanging.add(res);
      } else if ('json' in answer) {
        res.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.json));
      } else {
        res
          .writeHead(answer.status ?? 200, { 'Content-Type': answer.contentType ?? 'text/html', ...answer.headers })
          .end(answer.text);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (path) => calls.filter((call) => call.path === path),
    answer: (path, answer) => answers.set(path, answer),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL nothing listens on: a port that was just free (bound, then closed). */
export async function unusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/nothing`;
}
