import type { Auth } from '../auth/index.js';
import type { InProcessDispatch, InProcessRequest, InProcessResponse } from '../cloud/index.js';
import type { Core } from '../core/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { RouteTable } from './route-table.js';

/**
 * Answers cloud code's Parse SDK calls through the same route table as HTTP requests, without a socket: the
 * route, its decoding and the core operation are the ones a client's request would reach. The caller is the
 * server's own trusted code, so no keys are checked: `useMasterKey` is the master key, a session token is
 * resolved like a client's, and nothing else is an anonymous client.
 */
export function createInProcessDispatcher(options: {
  core: Core;
  routes: RouteTable;
  mountPath: string;
  /** The public URL of the mount (file URLs in responses); the request has no Host to derive it from. */
  mountURL: () => string;
}): InProcessDispatch {
  const { core, routes } = options;
  return async (request: InProcessRequest): Promise<InProcessResponse> => {
    const queryAt = request.path.indexOf('?');
    const path = queryAt === -1 ? request.path : request.path.slice(0, queryAt);
    const match = routes.match(request.method, path);
    if (match === undefined) {
      throw new ParseError(ErrorCode.INVALID_JSON, { message: `Cannot ${request.method} ${path}`, httpStatus: 404 });
    }
    const installation = request.installationId === undefined ? {} : { installationId: request.installationId };
    let auth: Auth = request.useMasterKey ? { kind: 'master', ...installation } : { kind: 'public', ...installation };
    if (!request.useMasterKey && request.sessionToken !== undefined && match.route.sessionToken !== 'ignore') {
      auth = await core.resolveSession({ sessionToken: request.sessionToken, installationId: request.installationId });
    }
    // The SDK's file saves carry the file's type in the body form's `_ContentType`, as over HTTP.
    const body: Record<string, unknown> = { ...request.body };
    const contentType = body['_ContentType'];
    delete body['_ContentType'];
    const response = await match.route.handler({
      method: request.method,
      auth,
      core,
      params: match.params,
      body,
      ...(typeof contentType === 'string' ? { contentType } : {}),
      query: {},
      mountURL: options.mountURL(),
      mountPath: options.mountPath,
      context: request.context ?? {},
      ...(request.log === undefined ? {} : { log: request.log }),
      ...(request.sessionToken === undefined ? {} : { sessionToken: request.sessionToken }),
    });
    return {
      status: response.status ?? 200,
      body: response.body,
      ...(response.headers === undefined ? {} : { headers: response.headers }),
    };
  };
}
