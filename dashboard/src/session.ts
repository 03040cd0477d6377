/**
 * The browser's view of the dashboard sign-in: who is signed in, which apps they may open, and the CSRF
 * token every write must carry. The session itself is an HttpOnly cookie the page cannot read.
 */
export interface AppInfo {
  readonly appId: string;
  readonly appName: string;
  readonly local: boolean;
  readonly available: boolean;
}

export interface SessionInfo {
  readonly username: string;
  readonly readOnly: boolean;
  readonly csrfToken: string;
  readonly expiresAt: string;
  readonly apps: readonly AppInfo[];
}

export type SessionState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'signedOut'; readonly needsSetup: boolean }
  | { readonly kind: 'signedIn'; readonly session: SessionInfo };

export const API_BASE = '/dashboard/api';

export async function loadSession(): Promise<SessionState> {
  const response = await fetch(`${API_BASE}/session`, { credentials: 'same-origin' });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.ok) return { kind: 'signedIn', session: body as unknown as SessionInfo };
  return { kind: 'signedOut', needsSetup: body['needsSetup'] === true };
}

export class SignInError extends Error {
  constructor(
    message: string,
    readonly totpRequired: boolean,
  ) {
    super(message);
  }
}

export async function signIn(credentials: { username: string; password: string; totp?: string }): Promise<SessionInfo> {
  const response = await fetch(`${API_BASE}/session`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) {
    throw new SignInError(
      typeof body['error'] === 'string' ? body['error'] : 'Sign-in failed.',
      body['totpRequired'] === true,
    );
  }
  return body as unknown as SessionInfo;
}

export async function signOut(session: SessionInfo): Promise<void> {
  await fetch(`${API_BASE}/session`, {
    method: 'DELETE',
    credentials: 'same-origin',
    headers: { 'X-CSRF-Token': session.csrfToken },
  });
}
