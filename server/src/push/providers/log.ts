import type { Logger } from '../../infra/index.js';
import type { DeliveryResult, PushMessage, PushProvider } from '../provider.js';

/**
 * The default provider when none is configured: records each notification in the log (at debug, token
 * shortened) and reports it sent. Nothing leaves the server, so `npm start` can exercise the whole push
 * pipeline, `_PushStatus` included, without credentials.
 */
export function createLogProvider(options: { logger: Logger }): PushProvider {
  return {
    name: 'log',
    send(messages: readonly PushMessage[]): Promise<DeliveryResult[]> {
      for (const message of messages) {
        options.logger.debug(
          {
            pushId: message.pushId,
            deviceType: message.device.deviceType,
            token: `${message.device.deviceToken.slice(0, 8)}…`,
            payload: message.payload,
          },
          'push (log provider: not sent)',
        );
      }
      return Promise.resolve(messages.map((): DeliveryResult => ({ ok: true })));
    },
  };
}
