import type { EmailAdapter, EmailLogSink, EmailMessage } from './adapter.js';

/**
 * The default adapter: sends nothing and writes each email (recipient, subject, text) to the server log
 * as one `email` record, so a single-machine install shows the verification and reset links.
 *
 * @example
 * const email = createLogEmailAdapter({ logger, from: 'noreply@example.com' });
 * await email.send({ to: 'a@example.com', subject: 'Hi', text: 'Hello' });
 */
export function createLogEmailAdapter(options: { logger: EmailLogSink; from?: string }): EmailAdapter {
  const { logger, from } = options;
  return {
    kind: 'log',
    send(message: EmailMessage): Promise<void> {
      logger.info(
        {
          email: {
            ...(from === undefined ? {} : { from }),
            to: message.to,
            subject: message.subject,
            text: message.text,
          },
        },
        'email (log adapter, not sent)',
      );
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
