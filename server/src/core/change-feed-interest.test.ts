import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../infra/index.js';
import type { PubSub } from '../infra/index.js';
import { ipcCluster, turns } from '../testing/ipc-cluster.test-util.js';
import type { ChangeEvent } from './change-event.js';
import { ChangeBus } from './change-feed.js';

const logger = createLogger({ level: 'silent' });

function created(className: string, objectId: string): { event: ChangeEvent; write: Record<string, never> } {
  return {
    event: {
      id: `${className}-${objectId}`,
      op: 'create',
      className,
      objectId,
      at: new Date(0),
      after: { objectId, fields: {} },
    },
    write: {},
  };
}

describe('change feed across --workers N: only what a subscriber elsewhere needs crosses', () => {
  it('the change feed sends a class only once a subscriber elsewhere needs it (watch), and then in order', async () => {
    const { workers, relayed } = ipcCluster(2);
    const [pa, pb] = workers as [PubSub, PubSub];
    const a = await ChangeBus.create({ logger, pubsub: pa });
    const b = await ChangeBus.create({ logger, pubsub: pb });
    const onB: string[] = [];
    // A cache: needs `_Session` from the others, nothing else.
    b.subscribe((event) => void onB.push(`${event.className}:${event.objectId}`), { classes: ['_Session'] });
    a.subscribe(() => undefined, { classes: [] });
    await turns();
    a.publish(created('Doc', 'd1'));
    a.publish(created('_Session', 's1'));
    await turns();
    assert.deepEqual(onB, ['_Session:s1']);
    assert.equal(relayed[1]?.filter((m) => m.channel === 'changes').length, 1, 'Doc d1 was not sent');
    const unwatch = await b.watch('Doc');
    for (let i = 2; i <= 4; i++) a.publish(created('Doc', `d${i}`));
    await turns();
    assert.deepEqual(onB, ['_Session:s1', 'Doc:d2', 'Doc:d3', 'Doc:d4']);
    unwatch();
    await turns();
    a.publish(created('Doc', 'd5'));
    await turns();
    assert.deepEqual(onB, ['_Session:s1', 'Doc:d2', 'Doc:d3', 'Doc:d4']);
    // A subscriber that names no classes (the public `app.changes`) needs everything.
    b.subscribe(() => undefined);
    await turns();
    a.publish(created('Doc', 'd6'));
    await turns();
    assert.deepEqual(onB.at(-1), 'Doc:d6');
    a.close();
    b.close();
    await Promise.all(workers.map((w) => w.close()));
  });
});
