import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { OutboundAddressPolicy } from './outbound-address.js';

/**
 * HTTP calls the server makes on someone's behalf (webhooks, `Parse.Cloud.httpRequest`), with the address
 * policy applied where it cannot be dodged: on the address the socket connects to, after DNS resolution (a
 * name that resolves to a private address, or re-resolves to one later, is refused), on IP literals, and on
 * every redirect hop. Redirects are followed here, one hop at a time, never by the transport.
 */
export interface OutboundRequest {
  readonly url: string | URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  /** Whole call, redirects included; unset: no limit of its own. */
  readonly timeoutMs?: number;
  /** Largest response body read; a longer one fails the call with `OutboundTooLargeError`. */
  readonly maxResponseBytes?: number;
  /** `error`: a 3xx fails the call; `manual`: the 3xx is the answer; `follow`: up to 10 hops. */
  readonly redirect: 'error' | 'manual' | 'follow';
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The URL that answered (after redirects). */
  readonly url: string;
}

/** The target resolved to an address the policy refuses. */
export class OutboundRefusedError extends Error {
  override readonly name = 'OutboundRefusedError';
  readonly code = 'ESTRATA_OUTBOUND_REFUSED';
}

export class OutboundTooLargeError extends Error {
  override readonly name = 'OutboundTooLargeError';
}

const MAX_REDIRECTS = 10;

/** Makes outbound calls for one app: holds its address policy (`--outbound-allow-ips`). */
export class OutboundHttp {
  readonly #policy: OutboundAddressPolicy;

  constructor(options: { allow?: readonly string[] } = {}) {
    this.#policy = new OutboundAddressPolicy(options.allow ?? []);
  }

  /** Whether an IP may be reached (for error messages and tests). */
  allows(address: string): boolean {
    return this.#policy.allows(address);
  }

  async request(request: OutboundRequest): Promise<OutboundResponse> {
    const signal = request.timeoutMs === undefined ? undefined : AbortSignal.timeout(request.timeoutMs);
    let url = new URL(request.url);
    let method = request.method.toUpperCase();
    let body = request.body;
    const headers = { ...request.headers };
    for (let hop = 0; ; hop += 1) {
      const response = await this.#once({ url, method, headers, body, signal, limit: request.maxResponseBytes });
      const location = response.headers['location'];
      if (response.status < 300 || response.status >= 400 || location === undefined) return response;
      if (request.redirect === 'manual') return response;
      if (request.redirect === 'error') throw new Error(`The server at ${url.host} answered with a redirect.`);
      if (hop >= MAX_REDIRECTS) throw new Error(`More than ${MAX_REDIRECTS} redirects.`);
      const next = new URL(location, url);
      // As browsers do: 303 (and 301/302 after a POST) turn into a GET without a body.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        for (const name of Object.keys(headers)) {
          if (/^content-(type|length)$/i.test(name)) delete headers[name];
        }
      }
      // Credentials meant for one host are not handed to another.
      if (next.origin !== url.origin) {
        for (const name of Object.keys(headers)) {
          if (/^(authorization|cookie)$/i.test(name)) delete headers[name];
        }
      }
      url = next;
    }
  }

  #once(options: {
    url: URL;
    method: string;
    headers: Record<string, string>;
    body: string | Buffer | undefined;
    signal: AbortSignal | undefined;
    limit: number | undefined;
  }): Promise<OutboundResponse> {
    const { url, signal, limit } = options;
    return new Promise<OutboundResponse>((resolve, reject) => {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        reject(new Error(`Only http and https URLs can be called, not ${url.protocol}`));
        return;
      }
      const host = url.hostname.replace(/^\[|\]$/g, '');
      // A literal IP never reaches `lookup`, so it is judged here.
      if (isIP(host) !== 0 && !this.#policy.allows(host)) {
        reject(refused(host));
        return;
      }
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method: options.method,
        headers: options.body === undefined ? options.headers : withLength(options.headers, options.body),
        lookup: this.#lookup,
        agent: false,
        ...(signal === undefined ? {} : { signal }),
      });
      // A timeout reports as the signal's TimeoutError, whichever stage it cut short.
      const fail = (err: unknown): void => {
        req.destroy();
        reject(
          signal?.aborted === true ? (signal.reason as Error) : err instanceof Error ? err : new Error(String(err)),
        );
      };
      req.once('error', fail);
      req.once('response', (res: IncomingMessage) => {
        readBody(res, limit).then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body, url: url.href }),
          fail,
        );
      });
      req.end(options.body);
    });
  }

  /** `dns.lookup` with the policy applied to every address the name resolves to. */
  readonly #lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err !== null) {
        callback(err, []);
        return;
      }
      const bad = addresses.find((entry) => !this.#policy.allows(entry.address));
      if (bad !== undefined || addresses.length === 0) {
        callback(refused(bad?.address ?? hostname), []);
        return;
      }
      if (options.all === true) callback(null, addresses);
      else callback(null, (addresses[0] as LookupAddress).address, (addresses[0] as LookupAddress).family);
    });
  };
}

function refused(address: string): OutboundRefusedError {
  return new OutboundRefusedError(
    `Refused to connect to ${address}: a private, loopback or link-local address (allow it with --outbound-allow-ips).`,
  );
}

function withLength(headers: Record<string, string>, body: string | Buffer): Record<string, string> {
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) return headers;
  return { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function readBody(res: IncomingMessage, limit: number | undefined): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const declared = Number(res.headers['content-length']);
    if (limit !== undefined && Number.isFinite(declared) && declared > limit) {
      // Settled before the socket is torn down, so the teardown's own error does not win.
      reject(new OutboundTooLargeError(`The response is larger than ${limit} bytes.`));
      res.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    res.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (limit !== undefined && total > limit) {
        reject(new OutboundTooLargeError(`The response is larger than ${limit} bytes.`));
        res.destroy();
        return;
      }
      chunks.push(chunk);
    });
    res.once('end', () => resolve(Buffer.concat(chunks)));
    res.once('error', reject);
    res.once('aborted', () => reject(new Error('The response was cut short.')));
  });
}
