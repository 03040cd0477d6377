import { GraphQLNonNull, GraphQLObjectType, GraphQLString } from 'graphql';
import { isMasterLike } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { LoggedIn } from '../core/index.js';
import type { ClassTypes } from './class-types.js';
import type { GraphQLContext } from './context.js';
import { toWriteInput } from './write.js';

/**
 * Users (spec/graphql.md §5): `viewer`, `signUp`, `logIn`, `logOut`, each one core operation. Sign-up is a
 * create of `_User` (as `POST /users`), log-in is core's password log-in; both are held to the same rate
 * limits as REST's, by the same limiters.
 */
export function viewerType(user: ClassTypes): GraphQLObjectType {
  return new GraphQLObjectType({
    name: 'Viewer',
    fields: {
      sessionToken: { type: new GraphQLNonNull(GraphQLString) },
      user: { type: new GraphQLNonNull(user.object) },
    },
  });
}

/** `viewer`: the caller's user and session token; without a session, 209. */
export function viewer(context: GraphQLContext): Promise<LoggedIn> {
  return context.core.me({ auth: context.auth });
}

export async function signUp(
  context: GraphQLContext,
  options: { user: ClassTypes; input: { fields?: unknown; clientMutationId?: string | null } },
): Promise<Record<string, unknown>> {
  const { user, input } = options;
  const fields = (input.fields ?? {}) as Record<string, unknown>;
  await context.limitAuth(fields['username']);
  const write = await toWriteInput({ fields, schema: user.schema, lookup: context.lookup, context, creating: true });
  const saved = await context.core.create({
    auth: context.auth,
    className: '_User',
    input: write,
    origin: context.origin,
  });
  const sessionToken = saved.fields['sessionToken'];
  if (typeof sessionToken !== 'string') {
    // `viewer` is non-null, and no session was opened: a master-key sign-up is "cloud" in Parse, and an
    // unverified email may not log in. Say so (the user exists) rather than fail the non-null field (code 1).
    throw isMasterLike(context.auth)
      ? new ParseError(ErrorCode.INVALID_SESSION_TOKEN, {
          message: 'A sign-up with the master key opens no session, so there is no viewer (the user was created).',
        })
      : new ParseError(ErrorCode.EMAIL_NOT_FOUND, { message: 'User email is not verified.' });
  }
  return withMutationId(input, { viewer: await viewerOf(context, sessionToken) });
}

async function viewerOf(context: GraphQLContext, sessionToken: string): Promise<LoggedIn> {
  const installation = context.auth.installationId === undefined ? {} : { installationId: context.auth.installationId };
  const auth: Auth = await context.core.authenticate({ auth: { kind: 'public', ...installation }, sessionToken });
  return context.core.me({ auth });
}

export async function logIn(
  context: GraphQLContext,
  input: { username?: string; password?: string; clientMutationId?: string | null },
): Promise<Record<string, unknown>> {
  await context.limitAuth(input.username);
  const loggedIn = await context.core.logIn({
    auth: context.auth,
    username: input.username,
    password: input.password,
    origin: context.origin,
  });
  return withMutationId(input, { viewer: loggedIn });
}

/**
 * `logInWith`: third-party log-in, as `POST /users` with `authData` (rest.md §6.10): an id the provider
 * already knows logs its user in; a new one signs a user up with `fields`. The provider validates the
 * `authData` in core either way, and the sign-up rate limit applies.
 */
export async function logInWith(
  context: GraphQLContext,
  options: { user: ClassTypes; input: { authData: unknown; fields?: unknown; clientMutationId?: string | null } },
): Promise<Record<string, unknown>> {
  const { user, input } = options;
  const fields = (input.fields ?? {}) as Record<string, unknown>;
  const authData = input.authData;
  if (authData === null || typeof authData !== 'object' || Array.isArray(authData)) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'authData must be an object.' });
  }
  await context.limitAuth(fields['username']);
  const write = await toWriteInput({
    fields,
    schema: user.schema,
    lookup: context.lookup,
    context,
    creating: true,
    raw: { authData },
  });
  const existing = await context.core.logInWithAuthData({ auth: context.auth, input: write, origin: context.origin });
  if (existing !== undefined) return withMutationId(input, { viewer: existing });
  const saved = await context.core.create({
    auth: context.auth,
    className: '_User',
    input: write,
    origin: context.origin,
  });
  const sessionToken = saved.fields['sessionToken'];
  if (typeof sessionToken !== 'string') {
    // Linking to a caller that already has a session: its own session stays the viewer's.
    return withMutationId(input, { viewer: await viewer(context) });
  }
  return withMutationId(input, { viewer: await viewerOf(context, sessionToken) });
}

/** `resetPassword`: mails a reset link (`POST /requestPasswordReset`), under the same rate limit. */
export async function requestReset(
  context: GraphQLContext,
  input: { email: string; clientMutationId?: string | null },
): Promise<Record<string, unknown>> {
  await context.limitAuth(input.email);
  await context.core.requestPasswordReset({ email: input.email, auth: context.auth, origin: context.origin });
  return withMutationId(input, { ok: true });
}

/** `sendVerificationEmail`: mails a new verification link (`POST /verificationEmailRequest`). */
export async function sendVerificationEmail(
  context: GraphQLContext,
  input: { email: string; clientMutationId?: string | null },
): Promise<Record<string, unknown>> {
  await context.core.requestVerificationEmail({ email: input.email });
  return withMutationId(input, { ok: true });
}

/**
 * `confirmResetPassword`: sets a new password with the token a reset mail carried, as the reset form does
 * (single-use token, password policy, every session revoked). The token must be the named user's.
 */
export async function confirmResetPassword(
  context: GraphQLContext,
  input: { username: string; password: string; token: string; clientMutationId?: string | null },
): Promise<Record<string, unknown>> {
  if (input.username === '')
    throw new ParseError(ErrorCode.USERNAME_MISSING, { message: 'you must provide a username' });
  if (input.password === '')
    throw new ParseError(ErrorCode.PASSWORD_MISSING, { message: 'you must provide a password' });
  if (input.token === '') throw new ParseError(ErrorCode.OTHER_CAUSE, { message: 'you must provide a token' });
  await context.limitAuth(input.username);
  const owner = await context.core.findPasswordResetUser({ token: input.token });
  if (owner === undefined || owner.username !== input.username) {
    throw new ParseError(ErrorCode.OTHER_CAUSE, {
      message: 'Failed to reset password: the link is invalid or expired.',
    });
  }
  await context.core.resetPassword({ token: input.token, password: input.password });
  return withMutationId(input, { ok: true });
}

export async function logOut(
  context: GraphQLContext,
  input: { clientMutationId?: string | null },
): Promise<Record<string, unknown>> {
  await context.core.logOut({ auth: context.auth, origin: context.origin });
  return withMutationId(input, { ok: true });
}

export function withMutationId(
  input: { clientMutationId?: string | null },
  payload: Record<string, unknown>,
): Record<string, unknown> {
  return input.clientMutationId === undefined ? payload : { ...payload, clientMutationId: input.clientMutationId };
}
