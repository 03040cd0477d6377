import type { EmailMessage } from './adapter.js';

export interface LinkEmailOptions {
  readonly appName: string;
  readonly to: string;
  readonly username: string;
  /** The absolute link the user follows. */
  readonly link: string;
}

/** The "please verify your email" message (security.md §9). Plain text: no tracking, no remote assets. */
export function verificationEmail(options: LinkEmailOptions): EmailMessage {
  return {
    to: options.to,
    subject: `Please verify your e-mail for ${options.appName}`,
    text:
      `Hi,\n\nYou are being asked to confirm the e-mail address ${options.to} with ${options.appName}.\n\n` +
      `Click here to confirm it:\n${options.link}\n`,
  };
}

/** The password reset message (rest.md §6.6). */
export function passwordResetEmail(options: LinkEmailOptions): EmailMessage {
  return {
    to: options.to,
    subject: `Password Reset for ${options.appName}`,
    text:
      `Hi,\n\nYou requested to reset your password for ${options.appName}` +
      ` (your username is '${options.username}').\n\nClick here to reset it:\n${options.link}\n`,
  };
}
