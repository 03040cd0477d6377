/**
 * GraphQL against a compat target with `graphql-request` (a client nobody here wrote): the endpoint is
 * `/graphql` at the server root, the credentials Parse's headers. `rawGraphQL` is for wire details the client
 * hides (HTTP status, REST-form error bodies).
 */
import { GraphQLClient } from 'graphql-request';
import type { CompatTarget } from './target.js';

export interface GraphQLCaller {
  /** Sends the master key. */
  readonly master?: boolean;
  readonly sessionToken?: string;
  /** Extra or replacing headers. */
  readonly headers?: Record<string, string>;
}

export function graphqlURL(target: CompatTarget): string {
  return `${new URL(target.serverURL).origin}/graphql`;
}

export function graphqlHeaders(target: CompatTarget, caller: GraphQLCaller = {}): Record<string, string> {
  return {
    'X-Parse-Application-Id': target.appId,
    'X-Parse-Javascript-Key': target.javascriptKey,
    ...(caller.master === true ? { 'X-Parse-Master-Key': target.masterKey } : {}),
    ...(caller.sessionToken === undefined ? {} : { 'X-Parse-Session-Token': caller.sessionToken }),
    ...caller.headers,
  };
}

export function graphqlClient(target: CompatTarget, caller: GraphQLCaller = {}): GraphQLClient {
  return new GraphQLClient(graphqlURL(target), { headers: graphqlHeaders(target, caller) });
}

export interface RawGraphQLResult {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    code?: number;
    error?: string;
  };
}

export async function rawGraphQL(
  target: CompatTarget,
  request: { query: string; variables?: Record<string, unknown> } | unknown[],
  caller: GraphQLCaller = {},
): Promise<RawGraphQLResult> {
  const response = await fetch(graphqlURL(target), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...graphqlHeaders(target, caller) },
    body: JSON.stringify(request),
  });
  const text = await response.text();
  let body: RawGraphQLResult['body'];
  try {
    body = JSON.parse(text) as RawGraphQLResult['body'];
  } catch {
    body = { error: text };
  }
  return { status: response.status, body };
}
