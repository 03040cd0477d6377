/** One email to send: plain text always, HTML optional. */
export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/**
 * Where the server's emails go. Implementations deliver (SMTP) or only record (log); either way `send`
 * resolves once the message has been handed over and rejects when it could not be.
 */
export interface EmailAdapter {
  readonly kind: string;
  send(message: EmailMessage): Promise<void>;
  /** Releases connections; safe to call twice. */
  close(): Promise<void>;
}

/** The slice of a structured logger the log adapter writes to (pino's `info` fits). */
export interface EmailLogSink {
  info(record: Record<string, unknown>, message: string): void;
}
