#!/usr/bin/env node
// How many change messages reach an app server over Redis that wants none of them (a count, not a time).
// Two change feeds (server/dist's ChangeBus, as app.ts makes them) share one Redis, each with its own pub/sub:
// - "api" publishes --writes creates of GameScore and --session-writes of _Session;
// - "live" has the subscribers every server has (the role and session caches: _Role, _Session, _User) and, with
//   --watch, one LiveQuery subscription on GameScore.
// Counted: the messages live's pub/sub hands to the change feed's handler, and the events its subscribers get.
// Before interest routing over Redis, every change reached every server; after, only the classes it declared.
//   npm run build && STRATA_TEST_REDIS_URL=redis://127.0.0.1:6379 node bench/pubsub-routing.mjs [--writes 1000]
//     [--session-writes 10] [--watch] [--dist <another build's server/dist>]
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    writes: { type: 'string', default: '1000' },
    'session-writes': { type: 'string', default: '10' },
    watch: { type: 'boolean', default: false },
    // Another build's server/dist (a path), to count before and after a change.
    dist: { type: 'string', default: new URL('../server/dist/', import.meta.url).pathname },
  },
});
const url = process.env.STRATA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const dist = `${pathToFileURL(path.resolve(values.dist)).href}/`;
const { ChangeBus } = await import(`${dist}core/change-feed.js`);
const { createRedisPubSub } = await import(`${dist}infra/redis-pubsub.js`);
const { createLogger } = await import(`${dist}infra/logger.js`);

const logger = createLogger({ level: 'warn' });
const prefix = `strata:bench-routing-${randomBytes(4).toString('hex')}`;
const apiPubSub = await createRedisPubSub({ url, prefix });
const livePubSub = await createRedisPubSub({ url, prefix });
let messages = 0;
const counted = {
  ...livePubSub,
  subscribe: (channel, handler) =>
    livePubSub.subscribe(channel, (message) => {
      if (channel === 'changes') messages += 1;
      handler(message);
    }),
};
const api = await ChangeBus.create({ logger, pubsub: apiPubSub });
const live = await ChangeBus.create({ logger, pubsub: counted });
const received = { cache: 0, watch: 0 };
live.subscribe(() => void (received.cache += 1), { classes: ['_Role', '_Session', '_User'] });
if (values.watch) {
  live.subscribe(() => void (received.watch += 1), { classes: ['GameScore'] });
  await live.watch('GameScore');
}
// The declaration above is sent at once on live's subscriber connection; a round trip on it makes sure Redis has it.
await livePubSub.ping();

const write = { kind: 'create', master: true };
const publish = (className, i) => {
  const objectId = `o${i}`;
  const at = new Date();
  api.publish({
    event: {
      id: randomBytes(8).toString('hex'),
      op: 'create',
      className,
      objectId,
      at,
      after: { objectId, createdAt: at, updatedAt: at, fields: { score: i } },
    },
    write,
  });
};
const writes = Number(values.writes);
const sessionWrites = Number(values['session-writes']);
for (let i = 0; i < writes; i++) publish('GameScore', i);
for (let i = 0; i < sessionWrites; i++) publish('_Session', i);
// Publishes go in order on api's connection, so a marker after them arrives after them wherever they arrive.
const marker = new Promise((resolve) => void livePubSub.subscribe('bench-marker', resolve));
await livePubSub.ping();
await apiPubSub.publish('bench-marker', 'end');
await marker;

console.log(
  JSON.stringify({
    dist,
    published: { GameScore: writes, _Session: sessionWrites },
    watch: values.watch,
    liveReceivedMessages: messages,
    liveSubscriberEvents: received,
  }),
);
api.close();
live.close();
await apiPubSub.close();
await livePubSub.close();
