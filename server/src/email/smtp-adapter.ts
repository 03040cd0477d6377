import { createTransport } from 'nodemailer';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { EmailAdapter, EmailMessage } from './adapter.js';

export interface SmtpOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
  readonly secure: boolean;
  readonly user?: string;
  readonly pass?: string;
  /** The From header, e.g. `"My App" <noreply@example.com>`. */
  readonly from: string;
}

/**
 * Delivers through an SMTP server with nodemailer (one pooled transport per adapter).
 *
 * @example
 * const email = createSmtpEmailAdapter({ host: 'smtp.example.com', port: 587, secure: false, from: 'a@b.c' });
 */
export function createSmtpEmailAdapter(options: SmtpOptions): EmailAdapter {
  const transport = createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure,
    pool: true,
    ...(options.user === undefined ? {} : { auth: { user: options.user, pass: options.pass ?? '' } }),
  });
  let closed = false;
  return {
    kind: 'smtp',
    async send(message: EmailMessage): Promise<void> {
      try {
        await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          ...(message.html === undefined ? {} : { html: message.html }),
        });
      } catch (err) {
        throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'Could not send the email.', cause: err });
      }
    },
    close(): Promise<void> {
      if (!closed) {
        closed = true;
        transport.close();
      }
      return Promise.resolve();
    },
  };
}
