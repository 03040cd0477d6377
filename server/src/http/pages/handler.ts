import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../../core/index.js';
import { ParseError } from '../../errors/index.js';
import type { Logger } from '../../infra/index.js';
import { choosePasswordPage, messagePage, PAGE_CSP } from './render.js';

export interface PageOptions {
  readonly core: Core;
  readonly appId: string;
  readonly appName: string | undefined;
  readonly mountPath: string;
}

const FORM_LIMIT = 16 * 1024;

/**
 * `<mount>/apps/:appId/verify_email?token=` and `<mount>/apps/:appId/request_password_reset` (GET: the
 * form, POST: form fields `token`, `new_password`). Browsers reach these from mailed links, so they need
 * no Parse headers; answers are HTML. `url` is relative to the mount. Returns false when not a page URL.
 */
export async function handlePage(
  options: PageOptions,
  http: { req: IncomingMessage; res: ServerResponse; url: string; log: Logger },
): Promise<boolean> {
  const { req, res, url, log } = http;
  const parsed = new URL(url, 'http://page.invalid');
  const match = /^\/apps\/([^/]+)\/(verify_email|request_password_reset)$/.exec(parsed.pathname);
  if (match === null) return false;
  const appName = options.appName ?? 'Strata';
  let appId: string;
  try {
    appId = decodeURIComponent(match[1] as string);
  } catch {
    appId = '';
  }
  if (appId !== options.appId) {
    send(res, {
      status: 404,
      html: messagePage({ appName, title: 'Not found', message: 'Unknown app.', isError: true }),
    });
    return true;
  }
  try {
    if (match[2] === 'verify_email' && req.method === 'GET') {
      const result = await options.core.verifyEmail({ token: parsed.searchParams.get('token') });
      send(res, {
        status: result.verified ? 200 : 400,
        html: result.verified
          ? messagePage({
              appName,
              title: 'Email verified',
              message: 'Your email address has been verified. Thank you.',
            })
          : messagePage({
              appName,
              title: 'Invalid link',
              message: 'This verification link is invalid or has expired.',
              isError: true,
            }),
      });
      return true;
    }
    if (match[2] === 'request_password_reset') {
      const action = `${options.mountPath}/apps/${encodeURIComponent(appId)}/request_password_reset`;
      const form =
        req.method === 'POST'
          ? new URLSearchParams(await readForm(req))
          : req.method === 'GET'
            ? parsed.searchParams
            : undefined;
      if (form === undefined) return notAllowed(res, appName);
      const token = form.get('token') ?? '';
      const user = await options.core.findPasswordResetUser({ token });
      if (user === undefined) {
        send(res, {
          status: 400,
          html: messagePage({
            appName,
            title: 'Invalid link',
            message: 'This password reset link is invalid or has expired.',
            isError: true,
          }),
        });
        return true;
      }
      if (req.method === 'GET') {
        send(res, { status: 200, html: choosePasswordPage({ appName, action, token, username: user.username }) });
        return true;
      }
      try {
        await options.core.resetPassword({ token, password: form.get('new_password') ?? '' });
      } catch (err) {
        if (!(err instanceof ParseError) || err.httpStatus >= 500) throw err;
        send(res, {
          status: 400,
          html: choosePasswordPage({ appName, action, token, username: user.username, error: err.message }),
        });
        return true;
      }
      send(res, {
        status: 200,
        html: messagePage({
          appName,
          title: 'Password changed',
          message: 'Your password has been updated. You can now log in.',
        }),
      });
      return true;
    }
    return notAllowed(res, appName);
  } catch (err) {
    log.error({ err }, 'email page failed');
    send(res, {
      status: 500,
      html: messagePage({
        appName,
        title: 'Error',
        message: 'Something went wrong. Please try again later.',
        isError: true,
      }),
    });
    return true;
  }
}

function notAllowed(res: ServerResponse, appName: string): true {
  send(res, {
    status: 405,
    html: messagePage({ appName, title: 'Not allowed', message: 'This method is not allowed here.', isError: true }),
  });
  return true;
}

function send(res: ServerResponse, options: { status: number; html: string }): void {
  res.statusCode = options.status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.end(options.html);
}

async function readForm(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > FORM_LIMIT) return '';
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
