import type { InProcessDispatch, InProcessRequest, InProcessResponse } from '../cloud/index.js';
import type { Dispatcher } from './dispatch.js';
import { parseQueryString } from './params.js';

/**
 * Answers cloud code's Parse SDK calls through the same dispatcher as HTTP requests, without a socket: the
 * route, its decoding and the core operation are the ones a client's request would reach. The caller is the
 * server's own trusted code, so no keys are checked: `useMasterKey` is the master key, a session token is
 * resolved like a client's, and nothing else is an anonymous client.
 */
export function createInProcessDispatcher(options: {
  dispatcher: Dispatcher;
  /** The public URL of the mount (file URLs in responses); the request has no Host to derive it from. */
  mountURL: () => string;
}): InProcessDispatch {
  return async (request: InProcessRequest): Promise<InProcessResponse> => {
    const queryAt = request.path.indexOf('?');
    const installation = request.installationId === undefined ? {} : { installationId: request.installationId };
    // The SDK's file saves carry the file's type in the body form's `_ContentType`, as over HTTP.
    const body: Record<string, unknown> = { ...request.body };
    const contentType = body['_ContentType'];
    delete body['_ContentType'];
    const response = await options.dispatcher.dispatch({
      method: request.method,
      path: queryAt === -1 ? request.path : request.path.slice(0, queryAt),
      query: queryAt === -1 ? {} : parseQueryString(request.path.slice(queryAt + 1)),
      body,
      caller: {
        credentials: {
          auth: request.useMasterKey ? { kind: 'master', ...installation } : { kind: 'public', ...installation },
          ...(request.sessionToken === undefined ? {} : { sessionToken: request.sessionToken }),
        },
      },
      context: request.context ?? {},
      mountURL: options.mountURL(),
      ...(typeof contentType === 'string' ? { contentType } : {}),
      ...(request.log === undefined ? {} : { log: request.log }),
    });
    return {
      status: response.status ?? 200,
      body: response.body,
      ...(response.headers === undefined ? {} : { headers: response.headers }),
    };
  };
}
