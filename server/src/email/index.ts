/**
 * Email: the `EmailAdapter` interface the server sends its mails through (verification and password
 * reset), with a log adapter (the default: prints the mail to the server log) and an SMTP adapter
 * (nodemailer), plus the texts of those mails. It does not decide when to send: the user flows in
 * `core` do, and it never queues or retries.
 */
export type { EmailAdapter, EmailLogSink, EmailMessage } from './adapter.js';
export { createLogEmailAdapter } from './log-adapter.js';
export { createSmtpEmailAdapter } from './smtp-adapter.js';
export type { SmtpOptions } from './smtp-adapter.js';
export { createEmailAdapter } from './create.js';
export type { EmailAdapterKind, EmailSettings } from './create.js';
export { passwordResetEmail, verificationEmail } from './templates.js';
export type { LinkEmailOptions } from './templates.js';
