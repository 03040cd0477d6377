import type { Auth } from '../../auth/index.js';
import { EmbeddedObject, Pointer } from '../../schema/index.js';
import type { GetPointedRequest } from '../find.js';
import type { OutputObject } from '../output.js';
import { callerKey } from './sub-queries.js';

/**
 * `include` in live events (beyond Parse, whose LiveQuery never includes): the pointers at the subscription's
 * include paths are replaced by the objects they point at, read through `core.getPointed` as the subscriber
 * (CLP get, ACL, protected fields, the class's find triggers); a pointer it cannot read stays a bare pointer.
 * One event's look-ups are batched (every pointer asked for in the same turn goes in one `getPointed`, one
 * query per class) and shared by all subscribers with the same caller (`PointerCache`).
 */
export async function includePointers(options: {
  readonly object: OutputObject;
  readonly include: readonly string[];
  readonly auth: Auth;
  readonly pointers: PointerCache;
}): Promise<OutputObject> {
  const { object, include, auth, pointers } = options;
  const fields: Record<string, unknown> = { ...object.fields };
  // Shorter paths first: `a.b` then walks into the object `a` became.
  for (const path of [...include].sort((a, b) => a.length - b.length)) {
    const [head, ...rest] = path.split('.');
    if (head === undefined || !Object.hasOwn(fields, head)) continue;
    fields[head] = await expand(fields[head], rest, { auth, pointers });
  }
  return { ...object, fields: fields as OutputObject['fields'] };
}

async function expand(
  value: unknown,
  rest: readonly string[],
  context: { auth: Auth; pointers: PointerCache },
): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((item) => expand(item, rest, context)));
  let embedded: EmbeddedObject | undefined;
  if (value instanceof Pointer) {
    const found = await context.pointers.get(context.auth, value);
    if (found === undefined) return value;
    embedded = new EmbeddedObject(found.className, found.objectId, {
      ...found.fields,
      ...(found.createdAt === undefined ? {} : { createdAt: found.createdAt }),
      ...(found.updatedAt === undefined ? {} : { updatedAt: found.updatedAt }),
      ...(found.ACL === undefined ? {} : { ACL: found.ACL }),
    });
  } else if (value instanceof EmbeddedObject) embedded = value;
  else return value;
  const [head, ...deeper] = rest;
  if (head === undefined || !Object.hasOwn(embedded.fields, head)) return embedded;
  return new EmbeddedObject(embedded.className, embedded.objectId, {
    ...embedded.fields,
    [head]: await expand(embedded.fields[head], deeper, context),
  });
}

/** One event's pointer look-ups: batched per caller within a turn, answers shared. */
export class PointerCache {
  readonly #answers = new Map<string, Promise<OutputObject | undefined>>();
  readonly #pending = new Map<
    string,
    { auth: Auth; pointers: Pointer[]; settle: ((found: OutputObject[]) => void)[] }
  >();
  readonly #getPointed: (request: GetPointedRequest) => Promise<OutputObject[]>;
  /** `getPointed` calls made (tests count them). */
  batches = 0;

  constructor(getPointed: (request: GetPointedRequest) => Promise<OutputObject[]>) {
    this.#getPointed = getPointed;
  }

  get(auth: Auth, pointer: Pointer): Promise<OutputObject | undefined> {
    const caller = callerKey(auth);
    const key = `${caller}\u0000${pointer.className}\u0000${pointer.objectId}`;
    let answer = this.#answers.get(key);
    if (answer !== undefined) return answer;
    let batch = this.#pending.get(caller);
    if (batch === undefined) {
      const created = { auth, pointers: [] as Pointer[], settle: [] as ((found: OutputObject[]) => void)[] };
      batch = created;
      this.#pending.set(caller, created);
      queueMicrotask(() => this.#flush(caller, created));
    }
    batch.pointers.push(pointer);
    const settleList = batch.settle;
    answer = new Promise<OutputObject[]>((resolve) => settleList.push(resolve)).then((found) =>
      found.find((object) => object.className === pointer.className && object.objectId === pointer.objectId),
    );
    this.#answers.set(key, answer);
    return answer;
  }

  #flush(
    caller: string,
    batch: { auth: Auth; pointers: Pointer[]; settle: ((found: OutputObject[]) => void)[] },
  ): void {
    this.#pending.delete(caller);
    this.batches++;
    this.#getPointed({ auth: batch.auth, pointers: batch.pointers }).then(
      (found) => {
        for (const settle of batch.settle) settle(found);
      },
      () => {
        // Unreadable or failed: every pointer of the batch stays bare.
        for (const settle of batch.settle) settle([]);
      },
    );
  }
}
