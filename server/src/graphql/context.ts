import type { Auth } from '../auth/index.js';
import type { Core, LiveEventOp, RequestOrigin } from '../core/index.js';
import type { EncodeOptions } from '../schema/index.js';
import type { ObjectLoader } from './loader.js';
import type { StreamItem } from './subscription-hooks.js';
import type { ClassLookup } from './where.js';

/** What every resolver gets: the caller (resolved once per request, as REST does), core and the encoders. */
export interface GraphQLContext {
  readonly auth: Auth;
  readonly core: Core;
  readonly origin: RequestOrigin;
  readonly encode: EncodeOptions;
  /** Pointers of one request, fetched in one core find per class (no N+1 storage calls). */
  readonly loader: ObjectLoader;
  readonly maxDepth: number;
  /** The log-in / sign-up rate limits REST applies, for the same account (`enforceAuthRateLimit`). */
  readonly limitAuth: (account: unknown) => Promise<void>;
  /** The largest upload `createFile` accepts, for the files' upload policy. */
  readonly ip: string | undefined;
  /** The class schemas this request's GraphQL schema was built from. */
  readonly lookup: ClassLookup;
  /** Live queries of a WebSocket connection (`socket.ts`); absent over HTTP, where subscriptions refuse. */
  readonly live?: LiveSource;
}

/** What the WebSocket front end adds to the context of a subscription: registering a live query. */
export interface LiveSource {
  /** Registers a live query as the connection's caller; the refusal (119, 102...) is thrown. */
  subscribe(query: {
    readonly className: string;
    readonly where: Record<string, unknown>;
    readonly watch?: readonly string[];
    readonly events: ReadonlySet<LiveEventOp>;
  }): Promise<AsyncIterable<StreamItem>>;
}
