import { call } from './transport.js';
import type { CallOptions, TransportContext } from './transport.js';

/**
 * `client.installations`: this device's `_Installation`, the record push notifications are addressed to.
 * Every call is an upsert by `installationId` (Parse's `POST /installations`), so registering again, after
 * a reinstall or from a second tab, updates the same row; a client can only ever reach the installation
 * whose `installationId` it holds. Sending pushes needs the master key and is not in the client SDK.
 *
 * ```ts
 * const device = client.installations.device({ installationId: crypto.randomUUID(), deviceType: 'web' });
 * const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
 * await device.registerWebPush(subscription, { channels: ['news'] });
 * await device.subscribe('sport');
 * ```
 */

export interface InstallationFields {
  deviceToken?: string;
  channels?: string[];
  /** IANA zone (default: this runtime's), used for device-local push times. */
  timeZone?: string;
  /** e.g. `fr-FR` (default: this runtime's), used for localized alerts. */
  localeIdentifier?: string;
  appIdentifier?: string;
  appName?: string;
  appVersion?: string;
  badge?: number;
  pushType?: string;
}

/** A browser Push API subscription, or anything with its `toJSON()` (a `PushSubscription`). */
export type WebPushSubscription =
  | { endpoint: string; keys: { p256dh: string; auth: string } }
  | { toJSON(): { endpoint?: string; keys?: Record<string, string> } };

export interface Device {
  /** Registers (or updates) this device with the given fields; answers its objectId. */
  register(fields?: InstallationFields, options?: CallOptions): Promise<{ objectId: string }>;
  /** Registers this browser's Push API subscription as its deviceToken (`deviceType` should be `web`). */
  registerWebPush(
    subscription: WebPushSubscription,
    fields?: Omit<InstallationFields, 'deviceToken'>,
    options?: CallOptions,
  ): Promise<{ objectId: string }>;
  /** Adds channels (registering the device if it is not yet). */
  subscribe(...channels: string[]): Promise<void>;
  /** Removes channels. */
  unsubscribe(...channels: string[]): Promise<void>;
}

export interface Installations {
  /** This device, by the installation id it keeps (e.g. a UUID in local storage) and its type. */
  device(identity: { installationId: string; deviceType: string }): Device;
}

export function createInstallations(transport: TransportContext): Installations {
  return {
    device(identity) {
      const upsert = async (body: Record<string, unknown>, options?: CallOptions): Promise<{ objectId: string }> => {
        const answer = (await call(transport, {
          method: 'POST',
          path: '/installations',
          body: { installationId: identity.installationId, deviceType: identity.deviceType, ...body },
          ...options,
        })) as { objectId?: string };
        return { objectId: answer.objectId ?? '' };
      };
      return {
        register: (fields = {}, options) => upsert({ ...runtimeDefaults(), ...fields }, options),
        registerWebPush: (subscription, fields = {}, options) => {
          const json = 'toJSON' in subscription ? subscription.toJSON() : subscription;
          return upsert({ ...runtimeDefaults(), ...fields, deviceToken: JSON.stringify(json) }, options);
        },
        subscribe: async (...channels) => {
          await upsert({ channels: { __op: 'AddUnique', objects: channels } });
        },
        unsubscribe: async (...channels) => {
          await upsert({ channels: { __op: 'Remove', objects: channels } });
        },
      };
    },
  };
}

function runtimeDefaults(): Pick<InstallationFields, 'timeZone' | 'localeIdentifier'> {
  try {
    const resolved = Intl.DateTimeFormat().resolvedOptions();
    return { timeZone: resolved.timeZone, localeIdentifier: resolved.locale };
  } catch {
    return {};
  }
}
