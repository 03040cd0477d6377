import type { Auth } from '../../auth/index.js';
import type { CoreDeps } from '../deps.js';
import type { OutputObject } from '../output.js';
import type { WriteInput } from '../write-input.js';
import { createSession } from './session-store.js';
import { resolveAuthDataSignUp } from './user-auth-data.js';
import { shapeOwnUser } from './user-read.js';
import { runUserTrigger } from '../auth-hooks.js';
import type { RequestOrigin } from '../hook-caller.js';

/**
 * `POST /users` with authData for a provider id that already has a user: a log-in (200, new session
 * `createdWith action "login"`). Undefined when the body is a sign-up instead (no authData, a new id, or a
 * caller that already has a session: that is linking, rest.md §6.10).
 */
export async function logInWithAuthData(
  deps: CoreDeps,
  request: { auth: Auth; input: WriteInput; origin?: RequestOrigin },
): Promise<{ user: OutputObject; sessionToken: string } | undefined> {
  if (request.auth.kind === 'user') return undefined;
  const resolved = await resolveAuthDataSignUp(deps, request.input);
  if (resolved?.kind !== 'login') return undefined;
  const hook = { auth: request.auth, origin: request.origin, user: resolved.user };
  await runUserTrigger(deps, { triggerName: 'beforeLogin', ...hook });
  const session = await createSession(deps, {
    userId: resolved.user.objectId,
    createdWith: { action: 'login', authProvider: resolved.provider },
    installationId: request.auth.installationId,
  });
  const loggedIn = {
    user: await shapeOwnUser(deps, resolved.user),
    sessionToken: session.fields['sessionToken'] as string,
  };
  await runUserTrigger(deps, { triggerName: 'afterLogin', ...hook });
  return loggedIn;
}
