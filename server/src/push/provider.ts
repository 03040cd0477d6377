/**
 * The one interface every push provider implements (FCM, APNs, Web Push, log), and how an installation is
 * routed to one (push.md §5): by `pushType` when it names a valid type, else by `deviceType`.
 */

/** What a provider needs of an installation. */
export interface PushDevice {
  readonly objectId: string;
  readonly deviceType: string;
  readonly deviceToken: string;
  readonly pushType?: string;
  readonly appIdentifier?: string;
  readonly localeIdentifier?: string;
  readonly timeZone?: string;
  readonly badge?: number;
}

/** One notification for one device: the payload already localized and with the device's own badge. */
export interface PushMessage {
  readonly device: PushDevice;
  /** `data` as the device gets it: Parse's keys (alert, title, badge, sound, ...) and custom keys. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** The `_PushStatus` objectId (FCM's `push_id`). */
  readonly pushId: string;
  /** When the push was accepted (FCM's `time`). */
  readonly sentAt: Date;
  /** Milliseconds since the epoch after which the provider should drop it. */
  readonly expiry?: number;
  /** Top-level options of the push request (`notification`, `collapse_id`, `push_type`, `priority`, `topic`). */
  readonly options: Readonly<Record<string, unknown>>;
}

export type DeliveryResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** The provider's reason, e.g. `Unregistered`, `UNREGISTERED`, `BadDeviceToken`, `429`. */
      readonly error: string;
      /** The token is dead: the worker removes it from `_Installation`. */
      readonly invalidToken?: boolean;
      /** Worth retrying (429, 5xx, a network error). */
      readonly transient?: boolean;
      /** The provider's `Retry-After`, when it sent one. */
      readonly retryAfterMs?: number;
    };

export interface PushProvider {
  /** `fcm`, `apns`, `web` or `log`: the rate limit and the `_PushStatus` samples are per provider. */
  readonly name: string;
  /** Sends each message; answers one result per message, in order. Never throws for one device's failure. */
  send(messages: readonly PushMessage[]): Promise<DeliveryResult[]>;
  close?(): Promise<void>;
}

/** Push types a `pushType` may name to override `deviceType` (push.md §2). */
const VALID_PUSH_TYPES = new Set(['ios', 'osx', 'tvos', 'watchos', 'android', 'fcm', 'web', 'expo']);
const APPLE = new Set(['ios', 'osx', 'macos', 'tvos', 'watchos']);

/** The provider family an installation goes to: `apns`, `fcm`, `web`, or undefined for none Strata speaks. */
export function providerKindOf(options: { deviceType: string; pushType?: string | undefined }): string | undefined {
  const type =
    options.pushType !== undefined && VALID_PUSH_TYPES.has(options.pushType) ? options.pushType : options.deviceType;
  if (APPLE.has(type)) return 'apns';
  if (type === 'android' || type === 'fcm') return 'fcm';
  if (type === 'web') return 'web';
  return undefined;
}
