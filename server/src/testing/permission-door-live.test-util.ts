/**
 * The permission matrix through the LiveQuery door, as an adapter of `permission-matrix-runner.test-util.ts`:
 * for every class and caller, a subscription with the `find` query ({title}), the `findBySecret` query
 * ({title, secret}) and the `get` query ({objectId}) must get exactly what REST answers: an update event when
 * REST returns the object (with `secret` only when REST shows it), no event when REST returns nothing or 101,
 * and the same error code when REST refuses. One deliberate difference, Parse's: a CLP that refuses `find` to
 * the public refuses the master keys' subscriptions too (119). Not part of the build.
 */
import assert from 'node:assert/strict';
import { RawLiveClient } from './live-client.test-util.js';
import { APP_ID, CLIENT_KEY, MASTER_KEY } from './test-server.test-util.js';
import { matrix, READ_ONLY_KEY } from './permission-world.test-util.js';
import type { Body, World } from './permission-world.test-util.js';
import type { Answer, Cell, Door } from './permission-matrix-runner.test-util.js';

const QUERIES = new Set(['find', 'findBySecret', 'get']);

/** REST's answer in LiveQuery's words: a result is an update event; no result (or a get's 101) is nothing. */
function liveExpectation(cell: Cell): Answer {
  const findRow = cell.cls.expect['find'] as readonly Answer[];
  const index = matrix.callers.indexOf(cell.caller);
  let rest = cell.rest;
  // Parse's LiveQuery checks the CLP with the public group even for the master key.
  if ((cell.caller === 'master' || cell.caller === 'readOnly') && cell.operation !== 'get' && findRow[0] === 119)
    rest = 119;
  // A get's 101 is "not found" (hidden by ACL: no event) unless the caller's find is refused with it too.
  const refused = cell.operation !== 'get' || findRow[index] === 101;
  if (rest === '0' || (rest === 101 && !refused)) return 'nothing';
  if (rest === '1' || rest === 'ok') return 'update';
  if (rest === '1 hidden' || rest === 'ok hidden') return 'update hidden';
  return `error ${String(rest)}`;
}

class LiveDoor implements Door {
  readonly name = 'LiveQuery';
  readonly #sockets = new Map<string, RawLiveClient>();
  #requestId = 10;

  async setup(world: World): Promise<void> {
    const created = await world.server.call({
      method: 'POST',
      path: '/schemas/Beacon',
      master: true,
      body: { className: 'Beacon' },
    });
    assert.ok(created.status < 300, JSON.stringify(created.body));
    for (const caller of matrix.callers) {
      const socket = await RawLiveClient.open(world.server.mountURL);
      const token = world.headers[caller]?.['X-Parse-Session-Token'];
      const credentials =
        caller === 'master'
          ? { masterKey: MASTER_KEY }
          : caller === 'readOnly'
            ? { masterKey: READ_ONLY_KEY }
            : token === undefined
              ? {}
              : { sessionToken: token };
      await socket.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY, ...credentials });
      assert.equal((await socket.subscribe(1, { className: 'Beacon', where: {} })).op, 'subscribed');
      this.#sockets.set(caller, socket);
    }
  }

  async teardown(): Promise<void> {
    await Promise.all([...this.#sockets.values()].map((s) => s.close()));
  }

  notApplicable(operation: string): string | undefined {
    return QUERIES.has(operation) ? undefined : 'a subscription only reads (find, findBySecret, get as {objectId})';
  }

  expectation(cell: Cell): Answer {
    return liveExpectation(cell);
  }

  /** Subscribes every cell, has the master key change the object once, and reads what each subscription got. */
  async runClass(world: World, cells: readonly Cell[]): Promise<Map<Cell, Answer>> {
    const answers = new Map<Cell, Answer>();
    const className = cells[0]?.cls.className as string;
    const objectId = world.objects[className] as string;
    const where: Record<string, Body> = {
      find: { title: 't' },
      findBySecret: { title: 't', secret: 's' },
      get: { objectId },
    };
    const subscribed: { cell: Cell; requestId: number; from: number }[] = [];
    for (const cell of cells) {
      const socket = this.#sockets.get(cell.caller) as RawLiveClient;
      const requestId = this.#requestId++;
      const answer = await socket.subscribe(requestId, { className, where: where[cell.operation] as Body });
      if (answer.op === 'error') answers.set(cell, `error ${String(answer['code'])}`);
      else subscribed.push({ cell, requestId, from: socket.frames.length });
    }
    const changed = await world.server.call({
      method: 'PUT',
      path: `/classes/${className}/${objectId}`,
      master: true,
      body: { note: 'changed' },
    });
    assert.ok(changed.status < 300, JSON.stringify(changed.body));
    const beacon = await world.server.call({ method: 'POST', path: '/classes/Beacon', master: true, body: {} });
    const beaconId = (beacon.body as Body)['objectId'];
    // Every socket got the beacon's event after the change's: whatever the change sent has arrived.
    for (const socket of this.#sockets.values())
      await socket.next((f) => f.op === 'create' && (f['object'] as Body)['objectId'] === beaconId);
    for (const { cell, requestId, from } of subscribed) {
      const socket = this.#sockets.get(cell.caller) as RawLiveClient;
      const events = socket.frames.slice(from).filter((f) => f['requestId'] === requestId);
      const seen = events.map((f) => `${f.op}${'secret' in (f['object'] as Body) ? '' : ' hidden'}`).join(', ');
      answers.set(cell, seen === '' ? 'nothing' : seen);
      socket.send({ op: 'unsubscribe', requestId });
    }
    return answers;
  }
}

export function liveDoor(): Door {
  return new LiveDoor();
}
