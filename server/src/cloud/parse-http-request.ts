import type { OutboundHttp } from './outbound-http.js';

/**
 * `Parse.Cloud.httpRequest` on top of the app's outbound client (private addresses refused unless allowed): url, method, headers, params (query string), body (an object
 * is sent as JSON, or form-encoded when the content type says so) and followRedirects. It resolves with
 * `{status, headers, text, data, buffer}` for 2xx and rejects with the same shape otherwise, as Parse does.
 */
export interface HttpResponseLike {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
  readonly buffer: Buffer;
  readonly data: unknown;
}

export async function parseHttpRequest(outbound: OutboundHttp, raw: unknown): Promise<HttpResponseLike> {
  if (typeof raw !== 'object' || raw === null) throw new TypeError('Parse.Cloud.httpRequest needs an options object.');
  const options = raw as Record<string, unknown>;
  if (typeof options['url'] !== 'string') throw new TypeError('Parse.Cloud.httpRequest needs a url.');
  const url = new URL(options['url']);
  const params = options['params'];
  if (typeof params === 'string') url.search = params;
  else if (typeof params === 'object' && params !== null) {
    for (const [key, value] of Object.entries(params)) url.searchParams.append(key, String(value));
  }
  const headers: Record<string, string> = {};
  if (typeof options['headers'] === 'object' && options['headers'] !== null) {
    for (const [key, value] of Object.entries(options['headers'])) headers[key] = String(value);
  }
  const contentTypeKey = Object.keys(headers).find((key) => key.toLowerCase() === 'content-type');
  const body = encodeBody({ body: options['body'], headers, contentTypeKey });
  const response = await outbound.request({
    url,
    method: typeof options['method'] === 'string' ? options['method'].toUpperCase() : 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
    redirect: options['followRedirects'] === true ? 'follow' : 'manual',
  });
  const buffer = response.body;
  const text = buffer.toString('utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const result: HttpResponseLike = {
    status: response.status,
    headers: response.headers,
    text,
    buffer,
    data,
  };
  if (response.status < 200 || response.status >= 400) throw result;
  return result;
}

function encodeBody(options: {
  body: unknown;
  headers: Record<string, string>;
  contentTypeKey: string | undefined;
}): string | Buffer | undefined {
  const { body, headers, contentTypeKey } = options;
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  const contentType = contentTypeKey === undefined ? undefined : headers[contentTypeKey];
  if (contentType?.startsWith('application/x-www-form-urlencoded') === true) {
    const pairs = Object.entries(body as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)]);
    return new URLSearchParams(pairs).toString();
  }
  if (contentTypeKey === undefined) headers['Content-Type'] = 'application/json';
  return JSON.stringify(body);
}
