import type { Transporter } from 'nodemailer';
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
  // nodemailer is imported with the first email, not at start (~90 ms of a cold start; most servers send none).
  let transport: Promise<Transporter> | undefined;
  const open = (): Promise<Transporter> =>
    (transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({
        host: options.host,
        port: options.port,
        secure: options.secure,
        pool: true,
        ...(options.user === undefined ? {} : { auth: { user: options.user, pass: options.pass ?? '' } }),
      }),
    ));
  let closed = false;
  return {
    kind: 'smtp',
    async send(message: EmailMessage): Promise<void> {
      try {
        await (
          await open()
        ).sendMail({
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
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const opened = await transport?.catch(() => undefined);
      opened?.close();
    },
  };
}
