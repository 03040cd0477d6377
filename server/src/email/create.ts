import { ErrorCode, ParseError } from '../errors/index.js';
import type { EmailAdapter, EmailLogSink } from './adapter.js';
import { createLogEmailAdapter } from './log-adapter.js';
import { createSmtpEmailAdapter } from './smtp-adapter.js';
import type { SmtpOptions } from './smtp-adapter.js';

export type EmailAdapterKind = 'log' | 'smtp';

/** The email settings of the server's `Config`, as `app.ts` hands them over. */
export interface EmailSettings {
  readonly emailAdapter: EmailAdapterKind;
  readonly emailHost?: string;
  readonly emailPort: number;
  readonly emailSecure: boolean;
  readonly emailUser?: string;
  readonly emailPass?: string;
  readonly emailFrom?: string;
}

/** Builds the configured adapter; SMTP without a host or a From address is a configuration error. */
export function createEmailAdapter(options: { settings: EmailSettings; logger: EmailLogSink }): EmailAdapter {
  const { settings, logger } = options;
  if (settings.emailAdapter === 'log') {
    return createLogEmailAdapter({ logger, ...(settings.emailFrom === undefined ? {} : { from: settings.emailFrom }) });
  }
  if (settings.emailHost === undefined || settings.emailFrom === undefined) {
    throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
      message: 'The SMTP email adapter needs STRATA_EMAIL_HOST and STRATA_EMAIL_FROM.',
    });
  }
  const smtp: SmtpOptions = {
    host: settings.emailHost,
    port: settings.emailPort,
    secure: settings.emailSecure,
    from: settings.emailFrom,
    ...(settings.emailUser === undefined ? {} : { user: settings.emailUser }),
    ...(settings.emailPass === undefined ? {} : { pass: settings.emailPass }),
  };
  return createSmtpEmailAdapter(smtp);
}
