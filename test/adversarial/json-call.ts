/**
 * The adversarial suites' request helper: one JSON request to a test server as the client (or with the master
 * key, or a user's session token), answered as status and JSON object body.
 */
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';

export type Json = Record<string, unknown>;

export interface JsonRequest {
  readonly method?: string;
  readonly path: string;
  readonly body?: unknown;
  readonly master?: boolean;
  /** Sent as `X-Parse-Session-Token`. */
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

export async function jsonCall(server: TestServer, request: JsonRequest): Promise<{ status: number; body: Json }> {
  const headers = {
    ...request.headers,
    ...(request.token === undefined ? {} : { 'X-Parse-Session-Token': request.token }),
  };
  const response = await server.call({
    method: request.method ?? 'GET',
    path: request.path,
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.master === true ? { master: true } : {}),
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
  });
  return { status: response.status, body: response.body as Json };
}
