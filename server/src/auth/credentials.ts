import { unauthorized } from '../errors/index.js';
import { PUBLIC } from './auth.js';
import type { Auth } from './auth.js';
import { IpAllowList } from './ip-allow-list.js';

/** The app's keys and the addresses its master-like keys are accepted from (a slice of `Config`). */
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

/**
 * What a client presented, whatever carried it: REST headers or the JS SDK's body form (`readWireCredentials`),
 * GraphQL's headers, a LiveQuery `connect` frame. Absent values are `undefined`; nothing is checked yet.
 */
export interface PresentedCredentials {
  readonly appId?: string | undefined;
  /** The master-key slot: the master key or the read-only master key. */
  readonly masterKey?: string | undefined;
  readonly maintenanceKey?: string | undefined;
  /** Every client key presented, in any of its slots (client, JavaScript, REST API, .NET / windows key). */
  readonly clientKeys?: readonly (string | undefined)[];
  readonly sessionToken?: string | undefined;
  readonly installationId?: string | undefined;
}

/** Who is asking before the session token is looked at. */
export interface Credentials {
  /** `master`, `readOnlyMaster`, `maintenance` or `public` (a presented token is resolved later by core). */
  readonly auth: Auth;
  /** The presented session token, not yet resolved; ignored when a master-like key was accepted. */
  readonly sessionToken?: string;
}

const PUBLIC_CREDENTIALS: Credentials = Object.freeze({ auth: PUBLIC });

/**
 * Checks presented keys against the app's (security.md §2): the app id must match; the master key only from
 * `masterKeyIps`, the maintenance key only from `maintenanceKeyIps`, the read-only master key from anywhere;
 * otherwise one of the configured client keys must be presented (none configured: none needed). Every
 * failure is the same bare 403 `{"error":"unauthorized"}` Parse answers, so a probe learns nothing. One
 * instance per app (built in `app.ts`), shared by every door: REST, GraphQL, LiveQuery.
 *
 * @example
 * const resolver = new CredentialResolver(config);
 * const { auth, sessionToken } = resolver.resolve({ appId, masterKey, clientKeys: [jsKey] }, { ip });
 * const caller = await core.authenticate({ auth, sessionToken });
 */
export class CredentialResolver {
  readonly #keys: KeyConfig;
  readonly #masterIps: IpAllowList;
  readonly #maintenanceIps: IpAllowList;
  readonly #clientKeys: readonly string[];

  constructor(keys: KeyConfig) {
    this.#keys = keys;
    this.#masterIps = new IpAllowList(keys.masterKeyIps);
    this.#maintenanceIps = new IpAllowList(keys.maintenanceKeyIps);
    this.#clientKeys = [keys.clientKey, keys.javascriptKey, keys.restAPIKey, keys.dotNetKey].filter(
      (k): k is string => k !== undefined && k !== '',
    );
  }

  /** The app id clients must present. */
  get appId(): string {
    return this.#keys.appId;
  }

  /** Throws 403 `unauthorized` for a wrong app id, a key from a refused address, or a missing client key. */
  resolve(presented: PresentedCredentials, options: { ip: string | undefined }): Credentials {
    if (presented.appId !== this.#keys.appId) throw unauthorized();
    const { masterKey, maintenanceKey, sessionToken } = presented;
    const extra = presented.installationId === undefined ? {} : { installationId: presented.installationId };
    const token = sessionToken === undefined ? {} : { sessionToken };
    if (masterKey !== undefined && masterKey === this.#keys.masterKey) {
      if (!this.#masterIps.allows(options.ip)) throw unauthorized();
      return { auth: { kind: 'master', ...extra }, ...token };
    }
    if (masterKey !== undefined && masterKey === this.#keys.readOnlyMasterKey) {
      return { auth: { kind: 'readOnlyMaster', ...extra }, ...token };
    }
    if (maintenanceKey !== undefined && maintenanceKey === this.#keys.maintenanceKey) {
      if (!this.#maintenanceIps.allows(options.ip)) throw unauthorized();
      return { auth: { kind: 'maintenance', ...extra }, ...token };
    }
    if (!this.#clientKeyMatches(presented.clientKeys ?? [])) throw unauthorized();
    // The most common caller of all (a client key, no session, no installation): one shared answer.
    if (sessionToken === undefined && presented.installationId === undefined) return PUBLIC_CREDENTIALS;
    return { auth: { kind: 'public', ...extra }, ...token };
  }

  #clientKeyMatches(presented: readonly (string | undefined)[]): boolean {
    if (this.#clientKeys.length === 0) return true;
    return presented.some((key) => key !== undefined && this.#clientKeys.includes(key));
  }
}
