/**
 * The public pages of the email flows (verify email, choose a new password): plain, accessible HTML with
 * no scripts, no external assets and every interpolated value escaped. Served with a strict CSP.
 */

export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#111}' +
  'label{display:block;margin:1rem 0 .25rem}input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}' +
  'button{font:inherit;margin-top:1rem;padding:.5rem 1rem}.error{color:#a00}';

function page(options: { title: string; body: string }): string {
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(options.title)}</title>\n<style>${STYLE}</style>\n</head>\n` +
    `<body>\n<main>\n${options.body}\n</main>\n</body>\n</html>\n`
  );
}

export function messagePage(options: { appName: string; title: string; message: string; isError?: boolean }): string {
  const cls = options.isError === true ? ' class="error" role="alert"' : ' role="status"';
  return page({
    title: `${options.title} | ${options.appName}`,
    body: `<h1>${escapeHtml(options.title)}</h1>\n<p${cls}>${escapeHtml(options.message)}</p>`,
  });
}

/** The reset form: posts `token` and `new_password` back to the same URL. */
export function choosePasswordPage(options: {
  appName: string;
  action: string;
  token: string;
  username: string;
  error?: string;
}): string {
  const error = options.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(options.error)}</p>\n`;
  return page({
    title: `Choose a new password | ${options.appName}`,
    body:
      `<h1>Choose a new password</h1>\n` +
      `<p>For the account <strong>${escapeHtml(options.username)}</strong> of ${escapeHtml(options.appName)}.</p>\n` +
      error +
      `<form method="post" action="${escapeHtml(options.action)}">\n` +
      `<input type="hidden" name="token" value="${escapeHtml(options.token)}">\n` +
      `<label for="new_password">New password</label>\n` +
      `<input id="new_password" name="new_password" type="password" autocomplete="new-password" required>\n` +
      `<button type="submit">Set password</button>\n</form>`,
  });
}
