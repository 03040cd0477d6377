import { GraphQLBoolean, GraphQLInputObjectType, GraphQLNonNull, GraphQLObjectType, GraphQLString } from 'graphql';
import type { GraphQLFieldConfigMap } from 'graphql';
import type { ClassTypes } from './class-types.js';
import type { GraphQLContext } from './context.js';
import { ObjectScalar } from './scalars.js';
import {
  confirmResetPassword,
  logIn,
  logInWith,
  logOut,
  requestReset,
  sendVerificationEmail,
  signUp,
  viewer,
  viewerType,
} from './users.js';

/**
 * The `_User` operations of the schema (Parse's names): `viewer`, and the `signUp`, `logIn`, `logInWith`,
 * `resetPassword`, `confirmResetPassword`, `sendVerificationEmail` and `logOut` mutations, added to the root
 * fields `buildGraphQLSchema` assembles.
 */
export function addUserOperations(options: {
  query: GraphQLFieldConfigMap<unknown, GraphQLContext>;
  mutation: GraphQLFieldConfigMap<unknown, GraphQLContext>;
  user: ClassTypes;
}): void {
  const { query, mutation, user } = options;
  const viewerObject = viewerType(user);
  const viewerPayload = (name: string): GraphQLObjectType =>
    new GraphQLObjectType({
      name,
      fields: { viewer: { type: new GraphQLNonNull(viewerObject) }, clientMutationId: { type: GraphQLString } },
    });
  query['viewer'] = { type: new GraphQLNonNull(viewerObject), resolve: (_source, _args, context) => viewer(context) };
  mutation['signUp'] = {
    type: viewerPayload('SignUpPayload'),
    args: {
      input: {
        type: new GraphQLNonNull(
          new GraphQLInputObjectType({
            name: 'SignUpInput',
            fields: { fields: { type: user.createFields }, clientMutationId: { type: GraphQLString } },
          }),
        ),
      },
    },
    resolve: (_source, args: { input: { fields?: unknown; clientMutationId?: string | null } }, context) =>
      signUp(context, { user, input: args.input }),
  };
  mutation['logIn'] = {
    type: viewerPayload('LogInPayload'),
    args: {
      input: {
        type: new GraphQLNonNull(
          new GraphQLInputObjectType({
            name: 'LogInInput',
            fields: {
              username: { type: new GraphQLNonNull(GraphQLString) },
              password: { type: new GraphQLNonNull(GraphQLString) },
              clientMutationId: { type: GraphQLString },
            },
          }),
        ),
      },
    },
    resolve: (_source, args: { input: { username: string; password: string } }, context) => logIn(context, args.input),
  };
  mutation['logInWith'] = {
    type: viewerPayload('LogInWithPayload'),
    args: {
      input: {
        type: new GraphQLNonNull(
          new GraphQLInputObjectType({
            name: 'LogInWithInput',
            fields: {
              authData: { type: new GraphQLNonNull(ObjectScalar) },
              fields: { type: logInWithFields(user) },
              clientMutationId: { type: GraphQLString },
            },
          }),
        ),
      },
    },
    resolve: (_source, args: { input: { authData: unknown; fields?: unknown } }, context) =>
      logInWith(context, { user, input: args.input }),
  };
  const okPayload = (name: string): GraphQLObjectType =>
    new GraphQLObjectType({
      name,
      fields: { ok: { type: new GraphQLNonNull(GraphQLBoolean) }, clientMutationId: { type: GraphQLString } },
    });
  const requiredStrings = (name: string, keys: readonly string[]): GraphQLInputObjectType =>
    new GraphQLInputObjectType({
      name,
      fields: {
        ...Object.fromEntries(keys.map((key) => [key, { type: new GraphQLNonNull(GraphQLString) }])),
        clientMutationId: { type: GraphQLString },
      },
    });
  mutation['resetPassword'] = {
    type: okPayload('ResetPasswordPayload'),
    args: { input: { type: new GraphQLNonNull(requiredStrings('ResetPasswordInput', ['email'])) } },
    resolve: (_source, args: { input: { email: string } }, context) => requestReset(context, args.input),
  };
  mutation['confirmResetPassword'] = {
    type: okPayload('ConfirmResetPasswordPayload'),
    args: {
      input: {
        type: new GraphQLNonNull(requiredStrings('ConfirmResetPasswordInput', ['username', 'password', 'token'])),
      },
    },
    resolve: (_source, args: { input: { username: string; password: string; token: string } }, context) =>
      confirmResetPassword(context, args.input),
  };
  mutation['sendVerificationEmail'] = {
    type: okPayload('SendVerificationEmailPayload'),
    args: { input: { type: new GraphQLNonNull(requiredStrings('SendVerificationEmailInput', ['email'])) } },
    resolve: (_source, args: { input: { email: string } }, context) => sendVerificationEmail(context, args.input),
  };
  mutation['logOut'] = {
    type: new GraphQLObjectType({
      name: 'LogOutPayload',
      fields: { ok: { type: new GraphQLNonNull(GraphQLBoolean) }, clientMutationId: { type: GraphQLString } },
    }),
    args: {
      input: {
        type: new GraphQLInputObjectType({
          name: 'LogOutInput',
          fields: { clientMutationId: { type: GraphQLString } },
        }),
      },
    },
    resolve: (_source, args: { input?: { clientMutationId?: string | null } }, context) =>
      logOut(context, args.input ?? {}),
  };
}

/** `UserLoginWithInput`: the fields a user signed up by `logInWith` gets (no password: the provider vouches). */
function logInWithFields(user: ClassTypes): GraphQLInputObjectType {
  return new GraphQLInputObjectType({
    name: 'UserLoginWithInput',
    fields: () =>
      Object.fromEntries(
        Object.entries(user.createFields.getFields())
          .filter(([name]) => name !== 'password')
          .map(([name, field]) => [name, { type: field.type }]),
      ),
  });
}
