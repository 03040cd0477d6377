import { ErrorCode, ParseError, unauthorized } from '../errors/index.js';
import type { PresentedCredentials } from './credentials.js';

/**
 * Parse's credential conventions over HTTP (rest.md §1.2-1.3): the `X-Parse-*` headers, HTTP Basic
 * (`appId:masterKey` or `appId:javascript-key=KEY`), and the JS SDK's body form (`_ApplicationId`,
 * `_SessionToken`, ... in the JSON body) used when no app-id header is sent. Shared by every door that
 * receives requests over HTTP (REST, GraphQL); it only reads, `CredentialResolver` checks.
 */

/** Request headers as Node gives them (lower-case names). */
export type WireHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** What a request carries besides the caller: the client context and, in the body form, a file's type. */
export interface WireCredentials {
  readonly presented: PresentedCredentials;
  /**
   * `X-Parse-Cloud-Context` / `_context` as sent; `parseContext` reads it once the caller is accepted (a bad
   * key answers 403 before a bad context answers 107).
   */
  readonly rawContext: unknown;
  /** `_ContentType` of the body form: the type of a file the JS SDK uploads as base64. */
  readonly contentType?: string;
}

/** Body keys the JS SDK uses to carry credentials (rest.md §1.2); consumed only in the body form. */
const BODY_CREDENTIAL_KEYS = [
  '_ApplicationId',
  '_JavaScriptKey',
  '_ClientKey',
  '_ClientVersion',
  '_InstallationId',
  '_SessionToken',
  '_MasterKey',
  '_context',
  '_ContentType',
  '_RevocableSession',
  '_noBody',
] as const;

/**
 * Reads the credentials of one request: from the headers, or (only when neither an app-id header nor HTTP
 * Basic is present) from the body form, whose credential keys it removes from `body`. A non-string
 * credential in the body is 403 `unauthorized`.
 */
export function readWireCredentials(options: { headers: WireHeaders; body: Record<string, unknown> }): WireCredentials {
  const { headers, body } = options;
  const headerAppId = header(headers, 'x-parse-application-id');
  const basic = headerAppId === undefined ? basicAuth(headers) : undefined;
  const creds = headerAppId === undefined && basic === undefined ? takeBodyCredentials(body) : undefined;
  const presented: PresentedCredentials = {
    appId: headerAppId ?? basic?.appId ?? creds?.appId,
    masterKey: header(headers, 'x-parse-master-key') ?? basic?.masterKey ?? creds?.masterKey,
    maintenanceKey: header(headers, 'x-parse-maintenance-key'),
    clientKeys: [
      header(headers, 'x-parse-client-key'),
      header(headers, 'x-parse-javascript-key'),
      header(headers, 'x-parse-rest-api-key'),
      header(headers, 'x-parse-windows-key'),
      creds?.javascriptKey ?? basic?.javascriptKey,
    ],
    sessionToken: header(headers, 'x-parse-session-token') ?? creds?.sessionToken,
    installationId: header(headers, 'x-parse-installation-id') ?? creds?.installationId,
  };
  return {
    presented,
    rawContext: header(headers, 'x-parse-cloud-context') ?? creds?.context,
    ...(creds?.contentType === undefined ? {} : { contentType: creds.contentType }),
  };
}

/** Whether credentials come in headers (app-id header or HTTP Basic) rather than in the JSON body. */
export function hasHeaderCredentials(headers: WireHeaders): boolean {
  return header(headers, 'x-parse-application-id') !== undefined || basicAuth(headers) !== undefined;
}

function header(headers: WireHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

interface BodyCredentials {
  appId?: string;
  javascriptKey?: string;
  masterKey?: string;
  installationId?: string;
  sessionToken?: string;
  contentType?: string;
  context?: unknown;
}

function takeBodyCredentials(body: Record<string, unknown>): BodyCredentials {
  const taken: Record<string, unknown> = {};
  for (const key of BODY_CREDENTIAL_KEYS) {
    if (Object.prototype.hasOwnProperty.call(body, key)) {
      taken[key] = body[key];
      delete body[key];
    }
  }
  const str = (key: string): string | undefined => {
    const value = taken[key];
    if (value === undefined || value === null) return undefined;
    // A non-string credential is a malformed request, not data (rest.md §1.2).
    if (typeof value !== 'string') throw unauthorized();
    return value;
  };
  const creds: BodyCredentials = {};
  const assign = <K extends keyof BodyCredentials>(key: K, value: BodyCredentials[K] | undefined): void => {
    if (value !== undefined) creds[key] = value;
  };
  assign('appId', str('_ApplicationId'));
  assign('javascriptKey', str('_JavaScriptKey') ?? str('_ClientKey'));
  assign('masterKey', str('_MasterKey'));
  assign('installationId', str('_InstallationId'));
  assign('sessionToken', str('_SessionToken'));
  assign('contentType', str('_ContentType'));
  assign('context', taken['_context']);
  return creds;
}

/** `Authorization: Basic base64(appId:masterKey)` or `base64(appId:javascript-key=KEY)`. */
function basicAuth(headers: WireHeaders): { appId: string; masterKey?: string; javascriptKey?: string } | undefined {
  const value = header(headers, 'authorization');
  if (value === undefined || !value.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(value.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const appId = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  const jsPrefix = 'javascript-key=';
  return secret.startsWith(jsPrefix)
    ? { appId, javascriptKey: secret.slice(jsPrefix.length) }
    : { appId, masterKey: secret };
}

/** `X-Parse-Cloud-Context` / `_context`: a JSON object, or a string of one; anything else → 107. */
export function parseContext(raw: unknown): Record<string, unknown> {
  if (raw === undefined) return {};
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      value = undefined;
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'Invalid object for context.' });
  }
  return value as Record<string, unknown>;
}
