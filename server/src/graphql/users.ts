import { GraphQLNonNull, GraphQLObjectType, GraphQLString } from 'graphql';
import type { Auth } from '../auth/index.js';
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
  const loggedIn = typeof sessionToken === 'string' ? await viewerOf(context, sessionToken) : undefined;
  return withMutationId(input, { viewer: loggedIn ?? null });
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
