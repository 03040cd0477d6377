/**
 * The permission matrix's webhook door (an adapter of `permission-matrix-runner.test-util.ts`), reads and writes.
 *
 * Reads: an afterFind webhook on every matrix class (and its Holder) receives the objects the caller's query
 * returned, and must receive no more than REST shows that caller (no object it may not read, no hidden field).
 *
 * Writes (create, update, delete, and an update inside `/batch`): beforeSave, afterSave, beforeDelete and
 * afterDelete webhooks on every matrix class, the beforeSave one answering with the whole object it got (the
 * documented form of its answer). The rule, Parse's (spec/cloud.md §2 and §9): a write webhook is the
 * developer's own endpoint and gets the object as an in-process trigger does: a save's whole, protected fields
 * included; a delete's as the caller may read it (Parse fetches it with the caller's rights first). So the
 * matrix checks what must hold around that:
 * - the caller's answer is REST's (a webhook neither grants nor refuses a write the permissions decide);
 * - a refused write reaches no beforeSave, afterSave or afterDelete webhook; beforeDelete may see it only where
 *   the caller may read the object (Parse fetches it with the caller's rights before the trigger);
 * - an allowed write reaches its before and after webhook once each, with that object, `master` only for
 *   the master key, the calling user as `user`, and no password hash, plain password or key anywhere;
 * - the webhook's answer does not widen what the caller sees: the write's answer carries no field the caller
 *   may not read (`secret`, `attachment` of SecretField), although the beforeSave webhook sent them back, and
 *   on a create set `secret` (a trigger's changes are echoed, but not a protected field's: found here, fixed in
 *   core/write-echo.ts).
 * A function webhook's payload is a case of its own: the calling user and nothing secret about it.
 */
import { randomUUID } from 'node:crypto';
import { startWebhookTarget } from './webhook-target.test-util.js';
import type { ReceivedCall, WebhookTarget } from './webhook-target.test-util.js';
import { matrix, READ_ONLY_KEY, WEBHOOK_KEY } from './permission-world.test-util.js';
import type { Body, World } from './permission-world.test-util.js';
import type { Answer, CaseLine, Cell, Door } from './permission-matrix-runner.test-util.js';
import {
  cellRequest,
  failure,
  hidden,
  includeAnswer,
  listAnswer,
  MASTER_CALLERS,
  queryString,
} from './permission-doors.test-util.js';
import { CLIENT_KEY, MASTER_KEY } from './test-server.test-util.js';

const READS = ['find', 'findBySecret', 'get', 'include'];
const WRITES = ['create', 'update', 'delete', 'batch'];
const WRITE_TRIGGERS = ['beforeSave', 'afterSave', 'beforeDelete', 'afterDelete'] as const;
/** What the beforeSave webhook sets `secret` to on a create. */
const SET_BY_WEBHOOK = 'set by the webhook';
/** The fields of SecretField a caller outside Members may not read. */
const PROTECTED = ['secret', 'attachment'];
/** What no webhook payload may hold: a password (hashed or plain) or one of the app's keys. */
const SECRET_IN_PAYLOAD = new RegExp(
  [
    '\\$2[aby]\\$',
    '_hashed_password',
    '"password"',
    'X-Parse-Master-Key',
    ...[MASTER_KEY, READ_ONLY_KEY, CLIENT_KEY].map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
  ].join('|'),
  'i',
);

/** May `caller` read SecretField's protected fields (its get cell is not `ok hidden`)? */
function readsHidden(cell: Cell): boolean {
  const get = cell.cls.expect['get']?.[matrix.callers.indexOf(cell.caller)];
  return !(typeof get === 'string' && get.endsWith(' hidden'));
}
/** May `caller` read the class's object at all (its get cell succeeds)? */
function readsObject(cell: Cell): boolean {
  return typeof cell.cls.expect['get']?.[matrix.callers.indexOf(cell.caller)] === 'string';
}

class WebhookDoor implements Door {
  readonly name = 'webhooks';
  #target: WebhookTarget | undefined;

  async setup(world: World): Promise<void> {
    const target = await startWebhookTarget();
    this.#target = target;
    const register = async (path: string, body: Body): Promise<void> => {
      const response = await world.server.call({ method: 'POST', path, master: true, body });
      if (response.status >= 300) throw new Error(`${path}: ${JSON.stringify(response.body)}`);
    };
    for (const cls of matrix.classes) {
      for (const className of [cls.className, `Holder${cls.className}`]) {
        await register('/hooks/triggers', {
          className,
          triggerName: 'afterFind',
          url: `${target.url}/afterFind/${className}`,
        });
      }
      for (const triggerName of WRITE_TRIGGERS) {
        const path = `/${triggerName}/${cls.className}`;
        await register('/hooks/triggers', { className: cls.className, triggerName, url: `${target.url}${path}` });
      }
      // beforeSave answers with the object to save: the whole object it was sent, protected fields and all, and
      // on a create (whose object has no `secret`) it sets the protected field, which the answer must not show.
      target.answer(`/beforeSave/${cls.className}`, (call) => {
        const object = call.body['object'] as Body;
        return { json: { success: 'secret' in object ? object : { ...object, secret: SET_BY_WEBHOOK } } };
      });
    }
    await register('/hooks/functions', { functionName: 'matrixEcho', url: `${target.url}/echo` });
  }

  async teardown(): Promise<void> {
    await this.#target?.close();
  }

  notApplicable(operation: string): string | undefined {
    return READS.includes(operation) || WRITES.includes(operation)
      ? undefined
      : 'a count reaches no webhook (Parse runs no afterFind for it)';
  }

  expectation(cell: Cell): Answer {
    // A write the caller may make answers ok, and its answer hides what the caller may not read.
    if (WRITES.includes(cell.operation) && cell.rest === 'ok' && !readsHidden(cell)) return 'ok hidden';
    return cell.rest;
  }

  /** The call the class's afterFind webhook received for the request tagged `probe`. */
  #received(className: string, probe: string): ReceivedCall | undefined {
    return this.#target
      ?.callsTo(`/afterFind/${className}`)
      .find((call) => (call.body['headers'] as Body | undefined)?.['x-matrix-probe'] === probe);
  }

  async runCell(world: World, cell: Cell): Promise<Answer> {
    if (WRITES.includes(cell.operation)) return this.#write(world, cell);
    const request = await cellRequest(world, cell);
    const probeId = randomUUID();
    const response = await world.server.call({
      method: 'GET',
      path: `${request.path}${request.params === undefined ? '' : `?${queryString(request.params)}`}`,
      headers: { ...(world.headers[cell.caller] as Record<string, string>), 'X-Matrix-Probe': probeId },
    });
    const className = cell.operation === 'include' ? `Holder${cell.cls.className}` : cell.cls.className;
    const call = this.#received(className, probeId);
    const objects = call?.body['objects'] as Body[] | undefined;
    const code = failure(response);
    // A refused request must not have reached the webhook with objects.
    if (code !== undefined)
      return objects === undefined || objects.length === 0 ? code : `webhook got ${listAnswer(objects)}`;
    if (objects === undefined)
      return cell.operation === 'find' || cell.operation === 'findBySecret' ? '0' : 'not called';
    if (cell.operation === 'get') return objects.length === 0 ? 'not called' : `ok${hidden(objects[0])}`;
    if (cell.operation === 'include') return includeAnswer(objects[0]?.['target']);
    return listAnswer(objects);
  }

  /**
   * A write with its webhooks: the calls are found by what the write carries (a unique `note`, or the fresh
   * object's id for a delete), so cells running at once never read each other's calls.
   */
  async #write(world: World, cell: Cell): Promise<Answer> {
    const { className } = cell.cls;
    const mark = `webhook probe ${randomUUID()}`;
    const headers = world.headers[cell.caller] as Record<string, string>;
    let response: { status: number; body: unknown };
    let objectId: string | undefined;
    if (cell.operation === 'batch') {
      objectId = world.objects[className] as string;
      response = await world.server.call({
        method: 'POST',
        path: '/batch',
        headers,
        body: { requests: [{ method: 'PUT', path: `/parse/classes/${className}/${objectId}`, body: { note: mark } }] },
      });
      const code = failure(response);
      if (code !== undefined) return `batch itself failed: ${code}`;
      const item = (response.body as Body[])[0] as Body;
      const error = item['error'] as Body | undefined;
      response = error === undefined ? { status: 200, body: item['success'] } : { status: 400, body: error };
    } else {
      const request = await cellRequest(world, cell);
      if (cell.operation === 'delete') objectId = request.path.split('/').pop();
      if (cell.operation === 'update') objectId = world.objects[className] as string;
      const body = cell.operation === 'delete' ? undefined : { ...request.params, note: mark };
      response = await world.server.call({
        method: request.method,
        path: request.path,
        headers,
        ...(body === undefined ? {} : { body }),
      });
    }
    const deleting = cell.operation === 'delete';
    const calls = (trigger: string): ReceivedCall[] =>
      (this.#target?.callsTo(`/${trigger}/${className}`) ?? []).filter((call) => {
        const object = call.body['object'] as Body | undefined;
        return deleting ? object?.['objectId'] === objectId : object?.['note'] === mark;
      });
    const before = calls(deleting ? 'beforeDelete' : 'beforeSave');
    const after = calls(deleting ? 'afterDelete' : 'afterSave');
    const code = failure(response);
    if (code !== undefined) {
      if (after.length > 0) return `${code}, but the after webhook was called`;
      if (before.length > 0 && (!deleting || !readsObject(cell)))
        return `${code}, but the before webhook got the ${deleting ? 'unreadable ' : ''}object`;
      return code;
    }
    const answer = response.body as Body;
    if (before.length !== 1 || after.length !== 1)
      return `ok, webhooks called ${before.length} (before) and ${after.length} (after) times`;
    for (const call of [...before, ...after]) {
      const problem = payloadProblem(call, { cell, world, objectId });
      if (problem !== undefined) return `ok, ${problem}`;
    }
    // The caller's answer: nothing it may not read, though the beforeSave webhook answered with everything.
    const shown = PROTECTED.some((field) => field in answer);
    return readsHidden(cell) || shown ? 'ok' : 'ok hidden';
  }

  readonly cases = [
    {
      name: 'function webhook payload',
      run: async (world: World): Promise<CaseLine[]> => {
        const lines: CaseLine[] = [];
        for (const caller of matrix.callers) {
          const probeId = randomUUID();
          const response = await world.server.call({
            method: 'POST',
            path: '/functions/matrixEcho',
            headers: { ...(world.headers[caller] as Record<string, string>), 'X-Matrix-Probe': probeId },
            body: {},
          });
          const call = this.#target
            ?.callsTo('/echo')
            .find((c) => (c.body['headers'] as Body | undefined)?.['x-matrix-probe'] === probeId);
          const user = call?.body['user'] as Body | undefined;
          const secret = SECRET_IN_PAYLOAD.test(JSON.stringify(call?.body ?? {}));
          const who = user === undefined ? 'no user' : `user ${String(user['username'])}`;
          const actual =
            failure(response) ?? `${who}${call?.body['master'] === true ? ', master' : ''}${secret ? ', secret' : ''}`;
          const expected = MASTER_CALLERS.has(caller)
            ? 'no user, master'
            : caller === 'anonymous'
              ? 'no user'
              : `user ${caller}`;
          lines.push({ label: `as ${caller}`, expected, actual, leak: secret });
        }
        return lines;
      },
    },
  ];
}

/** What is wrong with one write webhook call's payload, or undefined. */
function payloadProblem(call: ReceivedCall, about: { cell: Cell; world: World; objectId: string | undefined }) {
  const { cell, world, objectId } = about;
  const object = call.body['object'] as Body | undefined;
  if (object?.['className'] !== cell.cls.className) return `a payload without its object (${call.path})`;
  if (objectId !== undefined && object['objectId'] !== objectId) return `another object in ${call.path}`;
  // A save's webhooks get the whole object, as an in-process trigger (the stored object's protected field is
  // there; a create sends what the caller sent, which has none). A delete's get the object as the caller may read
  // it: Parse fetches it with the caller's rights before the trigger.
  if (cell.operation === 'delete') {
    if ('secret' in object !== readsHidden(cell))
      return `${'secret' in object ? 'a protected field' : 'a partial object'} in ${call.path}`;
  } else if (cell.operation !== 'create' && !('secret' in object)) return `a partial object in ${call.path}`;
  if (SECRET_IN_PAYLOAD.test(JSON.stringify(call.body))) return `a password or key in ${call.path}`;
  if (call.headers['x-parse-webhook-key'] !== WEBHOOK_KEY) return `no webhook key on ${call.path}`;
  const master = MASTER_CALLERS.has(cell.caller);
  if ((call.body['master'] === true) !== master) return `master ${String(call.body['master'])} in ${call.path}`;
  const user = call.body['user'] as Body | undefined;
  const expectedUser = master || cell.caller === 'anonymous' ? undefined : world.userIds[cell.caller];
  if (user?.['objectId'] !== expectedUser) return `user ${String(user?.['objectId'])} in ${call.path}`;
  return undefined;
}

export function webhookDoor(): Door {
  return new WebhookDoor();
}
