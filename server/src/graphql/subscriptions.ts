import { GraphQLEnumType, GraphQLError, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLString } from 'graphql';
import type { GraphQLFieldConfigMap } from 'graphql';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { LiveEvent, LiveEventOp, LiveSubscription } from '../core/index.js';
import type { ClassTypes } from './class-types.js';
import type { GraphQLContext } from './context.js';
import type { StreamItem } from './subscription-hooks.js';
import { toRestWhere } from './where.js';

/**
 * `Subscription` fields (issue 15 item 7; Parse has none): per class, `on<Type>Event(where, events, watch)`
 * streams `<Type>LiveEvent { event, node, original }` (LiveQuery's five events: CREATE, ENTER, UPDATE, LEAVE,
 * DELETE), and `onCreate<Type>` / `onUpdate<Type>` / `onDelete<Type>(where)` stream the object of one kind of
 * event. Each is one live query on core's `LiveHub`: the `where` is the REST where a find would run, refused
 * and restricted by the subscriber's read policy (CLP, ACL, protectedFields), so a subscriber never receives
 * an object or field REST would hide. Served over WebSocket only (`socket.ts`); over HTTP the field refuses.
 */

export const LiveEventKindType = new GraphQLEnumType({
  name: 'LiveEventKind',
  description:
    'What a write did to an object a subscription watches (as LiveQuery: enter/leave = into/out of the where).',
  values: {
    CREATE: { value: 'create' },
    ENTER: { value: 'enter' },
    UPDATE: { value: 'update' },
    LEAVE: { value: 'leave' },
    DELETE: { value: 'delete' },
  },
});

/** Parse's REQUEST_LIMIT_EXCEEDED, as LiveQuery answers too many subscriptions. */
export const REQUEST_LIMIT_EXCEEDED = 155;

const ALL_EVENTS: ReadonlySet<LiveEventOp> = new Set(['create', 'enter', 'update', 'leave', 'delete']);

type ObjectEvent = Extract<LiveEvent, { op: LiveEventOp }>;

interface SubscriptionArgs {
  where?: unknown;
  events?: readonly LiveEventOp[] | null;
  watch?: readonly string[] | null;
}

/** The subscription fields of one class; none when its event type's name is taken by a class type. */
export function classSubscriptions(
  types: ClassTypes,
  takenTypeNames: ReadonlySet<string>,
): GraphQLFieldConfigMap<unknown, GraphQLContext> {
  const { names } = types;
  const eventTypeName = `${names.type}LiveEvent`;
  if (takenTypeNames.has(eventTypeName)) return {};
  const eventType = new GraphQLObjectType<ObjectEvent, GraphQLContext>({
    name: eventTypeName,
    fields: {
      event: { type: new GraphQLNonNull(LiveEventKindType), resolve: (event) => event.op },
      node: {
        type: new GraphQLNonNull(types.object),
        description: 'The object as the subscriber may read it now (after a LEAVE or DELETE: as it last could).',
        resolve: (event) => event.object,
      },
      original: {
        type: types.object,
        description: 'The state before the write, when the subscriber could read it.',
        resolve: (event) => event.original ?? null,
      },
    },
  });
  const source =
    (events: ReadonlySet<LiveEventOp>) => (_root: unknown, args: SubscriptionArgs, context: GraphQLContext) =>
      subscribe(context, { types, args, events });
  const single = (op: LiveEventOp): GraphQLFieldConfigMap<unknown, GraphQLContext>[string] => ({
    type: new GraphQLNonNull(types.object),
    args: { where: { type: types.where } },
    subscribe: source(new Set([op])),
    resolve: (event) => (event as ObjectEvent).object,
  });
  return {
    [`on${names.type}Event`]: {
      type: new GraphQLNonNull(eventType),
      args: {
        where: { type: types.where },
        events: {
          type: new GraphQLList(new GraphQLNonNull(LiveEventKindType)),
          description: 'Only these events (default: all five).',
        },
        watch: {
          type: new GraphQLList(new GraphQLNonNull(GraphQLString)),
          description: 'CREATE/UPDATE only when one of these fields changed.',
        },
      },
      subscribe: (_root: unknown, args: SubscriptionArgs, context: GraphQLContext) =>
        subscribe(context, {
          types,
          args,
          events: args.events === undefined || args.events === null ? ALL_EVENTS : new Set(args.events),
        }),
      // The payload is the hub's event; the event type's fields read it.
      resolve: (event) => event,
    },
    [`onCreate${names.type}`]: single('create'),
    [`onUpdate${names.type}`]: single('update'),
    [`onDelete${names.type}`]: single('delete'),
  };
}

function subscribe(
  context: GraphQLContext,
  options: { types: ClassTypes; args: SubscriptionArgs; events: ReadonlySet<LiveEventOp> },
): Promise<AsyncIterable<StreamItem>> {
  const live = context.live;
  if (live === undefined) {
    throw new ParseError(ErrorCode.INVALID_QUERY, {
      message: 'Subscriptions are served over WebSocket (graphql-transport-ws) at this path.',
    });
  }
  const { types, args, events } = options;
  const where = toRestWhere({ where: args.where, schema: types.schema, lookup: context.lookup });
  return live.subscribe({
    className: types.schema.className,
    where,
    events,
    ...(args.watch === undefined || args.watch === null ? {} : { watch: args.watch }),
  });
}

/**
 * The events of one live query as an async iterator whose `return()` ends it at once, even while `next()`
 * waits (graphql-ws calls it on `complete` and on close: the hub entry must not outlive the socket). At most
 * `maxPending` events wait to be sent; past that the subscriber is too slow and the stream ends with an error.
 */
export class LiveStream implements AsyncIterableIterator<StreamItem> {
  readonly #pending: StreamItem[] = [];
  readonly #maxPending: number;
  readonly #events: ReadonlySet<LiveEventOp>;
  #subscription: LiveSubscription | undefined;
  #waiting: ((result: IteratorResult<StreamItem>) => void) | undefined;
  #failWaiting: ((err: unknown) => void) | undefined;
  #failure: Error | undefined;
  #done = false;

  constructor(options: { maxPending: number; events: ReadonlySet<LiveEventOp> }) {
    this.#maxPending = options.maxPending;
    this.#events = options.events;
  }

  /** The hub's listener (through the afterLiveQueryEvent chain, whose failures come as `hook-error` items). */
  readonly push = (event: StreamItem): void => {
    if (this.#done || this.#failure !== undefined) return;
    if (event.op !== 'error' && event.op !== 'hook-error' && !this.#events.has(event.op)) return;
    if (event.op === 'error') {
      this.#fail(event.error);
      return;
    }
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      this.#failWaiting = undefined;
      waiting({ value: event, done: false });
      return;
    }
    if (this.#pending.length >= this.#maxPending) {
      this.#fail(
        new GraphQLError(
          `More than ${this.#maxPending} events waiting to be sent: this subscription is ended (subscribe again).`,
          { extensions: { code: REQUEST_LIMIT_EXCEEDED } },
        ),
      );
      return;
    }
    this.#pending.push(event);
  };

  /** The hub registration this stream ends on `return()`. */
  attach(subscription: LiveSubscription): void {
    this.#subscription = subscription;
    if (this.#done) subscription.close();
  }

  next(): Promise<IteratorResult<StreamItem>> {
    const event = this.#pending.shift();
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    if (this.#failure !== undefined) {
      const failure = this.#failure;
      this.#end();
      return Promise.reject(failure);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<StreamItem>> {
    this.#end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StreamItem> {
    return this;
  }

  #fail(error: Error): void {
    const failWaiting = this.#failWaiting;
    if (failWaiting !== undefined) {
      this.#waiting = undefined;
      this.#failWaiting = undefined;
      this.#end();
      failWaiting(error);
      return;
    }
    this.#failure = error;
    this.#pending.length = 0;
    this.#subscription?.close();
  }

  #end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#pending.length = 0;
    this.#subscription?.close();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    this.#failWaiting = undefined;
    waiting?.({ value: undefined, done: true });
  }
}
