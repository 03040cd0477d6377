import type { IncomingHttpHeaders } from 'node:http';
import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError, unauthorized } from '../errors/index.js';
import { IpAllowList } from './ip-allow-list.js';

export interface KeyConfig {
  readonly appId: string;
  readonly masterKey: string;
  readonly readOnlyMasterKey?: string;
  readonly maintenanceKey?: string;
  readonly clientKey?: string;
  readonly javascriptKey?: string;
  readonly restAPIKey?: string;
  readonly dotNetKey?: string;
  readonly masterKeyIps: readonly string[];
  readonly maintenanceKeyIps: readonly string[];
}

export interface Credentials {
  /** Without the session: a presented token is resolved later, once the route is known (`sessionToken`). */
  readonly auth: Auth;
  readonly context: Record<string, unknown>;
  /** The presented session token, not yet resolved; ignored by `auth` when a master-like key was accepted. */
  readonly sessionToken?: string;
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
 * Resolves who is asking from the Parse headers, or from the body form the JS SDK uses (only when no
 * app-id header is present). Failures answer 403 `{"error":"unauthorized"}` like Parse.
 */
export class CredentialResolver {
  private readonly masterIps: IpAllowList;
  private readonly maintenanceIps: IpAllowList;
  private readonly clientKeys: readonly string[];

  constructor(private readonly keys: KeyConfig) {
    this.masterIps = new IpAllowList(keys.masterKeyIps);
    this.maintenanceIps = new IpAllowList(keys.maintenanceKeyIps);
    this.clientKeys = [keys.clientKey, keys.javascriptKey, keys.restAPIKey, keys.dotNetKey].filter(
      (k): k is string => k !== undefined && k !== '',
    );
  }

  /** Reads credentials; in the body form it removes them from `body`. */
  resolve(options: {
    headers: IncomingHttpHeaders;
    body: Record<string, unknown>;
    ip: string | undefined;
  }): Credentials {
    const { headers, body, ip } = options;
    const headerAppId = header(headers, 'x-parse-application-id');
    const basic = headerAppId === undefined ? basicAuth(headers) : undefined;
    const fromBody = headerAppId === undefined && basic === undefined;
    const creds = fromBody ? takeBodyCredentials(body) : undefined;
    const appId = headerAppId ?? basic?.appId ?? creds?.appId;
    if (appId !== this.keys.appId) throw unauthorized();

    const masterKey = header(headers, 'x-parse-master-key') ?? basic?.masterKey ?? creds?.masterKey;
    const installationId = header(headers, 'x-parse-installation-id') ?? creds?.installationId;
    const sessionToken = header(headers, 'x-parse-session-token') ?? creds?.sessionToken;
    const context = parseContext(header(headers, 'x-parse-cloud-context') ?? creds?.context);
    const extra = installationId === undefined ? {} : { installationId };
    const token = {
      ...(sessionToken === undefined ? {} : { sessionToken }),
      ...(creds?.contentType === undefined ? {} : { contentType: creds.contentType }),
    };

    if (masterKey !== undefined && masterKey === this.keys.masterKey) {
      if (!this.masterIps.allows(ip)) throw unauthorized();
      return { auth: { kind: 'master', ...extra }, context, ...token };
    }
    if (masterKey !== undefined && masterKey === this.keys.readOnlyMasterKey) {
      return { auth: { kind: 'readOnlyMaster', ...extra }, context, ...token };
    }
    const maintenanceKey = header(headers, 'x-parse-maintenance-key');
    if (maintenanceKey !== undefined && maintenanceKey === this.keys.maintenanceKey) {
      if (!this.maintenanceIps.allows(ip)) throw unauthorized();
      return { auth: { kind: 'maintenance', ...extra }, context, ...token };
    }
    if (!this.clientKeyMatches(headers, creds?.javascriptKey ?? basic?.javascriptKey)) throw unauthorized();
    return { auth: { kind: 'public', ...extra }, context, ...token };
  }

  private clientKeyMatches(headers: IncomingHttpHeaders, bodyKey: string | undefined): boolean {
    if (this.clientKeys.length === 0) return true;
    const presented = [
      header(headers, 'x-parse-client-key'),
      header(headers, 'x-parse-javascript-key'),
      header(headers, 'x-parse-rest-api-key'),
      header(headers, 'x-parse-windows-key'),
      bodyKey,
    ];
    return presented.some((key) => key !== undefined && this.clientKeys.includes(key));
  }
}

/** Whether credentials come in headers (app-id header or HTTP Basic) rather than in the JSON body. */
export function hasHeaderCredentials(headers: IncomingHttpHeaders): boolean {
  return header(headers, 'x-parse-application-id') !== undefined || basicAuth(headers) !== undefined;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
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
function basicAuth(
  headers: IncomingHttpHeaders,
): { appId: string; masterKey?: string; javascriptKey?: string } | undefined {
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
function parseContext(raw: unknown): Record<string, unknown> {
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
