/**
 * The permission matrix's HTTP doors, as adapters of `permission-matrix-runner.test-util.ts`: REST, `/batch`,
 * aggregate, files and cloud code's Parse SDK (webhooks: permission-door-webhooks; signed file URLs:
 * permission-door-signed-files). Each answers in the data file's vocabulary. Not part
 * of the build.
 */
import { matrix, seedObject, withGuess, withIds } from './permission-world.test-util.js';
import type { Body, OracleCase, World } from './permission-world.test-util.js';
import type { Answer, CaseLine, Cell, Door } from './permission-matrix-runner.test-util.js';

export const hidden = (object: Body | undefined): string =>
  object === undefined || 'secret' in object ? '' : ' hidden';
export const listAnswer = (results: readonly Body[]): string => `${results.length}${hidden(results[0])}`;
export const includeAnswer = (target: unknown): string => {
  if (target === undefined || target === null) return 'dropped';
  const object = target as Body;
  return object['__type'] === 'Object' ? `included${hidden(object)}` : `unexpected ${JSON.stringify(object)}`;
};
export const queryString = (params: Body): string =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('&');
/** A failed answer's Parse code, `http <status>` without one; undefined when it succeeded. */
export const failure = (response: { status: number; body: unknown }): Answer | undefined => {
  if (response.status < 300) return undefined;
  const code = (response.body as Body | undefined)?.['code'];
  return typeof code === 'number' ? code : `http ${response.status}`;
};
const FIND_WHERE: Record<string, Body> = { find: { title: 't' }, findBySecret: { title: 't', secret: 's' } };

/** What one REST-shaped request means for a cell, so REST and `/batch` share the cell definitions. */
export interface Request {
  method: string;
  path: string;
  /** Query parameters (GET) or the body. */
  params?: Body;
  read: (body: Body) => Answer;
}

export async function cellRequest(world: World, cell: Cell): Promise<Request> {
  const { className } = cell.cls;
  const base = `/classes/${className}`;
  const id = world.objects[className] as string;
  switch (cell.operation) {
    case 'find':
    case 'findBySecret':
      return {
        method: 'GET',
        path: base,
        params: { where: FIND_WHERE[cell.operation] },
        read: (b) => listAnswer(b['results'] as Body[]),
      };
    case 'get':
      return { method: 'GET', path: `${base}/${id}`, read: (b) => `ok${hidden(b)}` };
    case 'count':
      return {
        method: 'GET',
        path: base,
        params: { where: { title: 't' }, count: 1, limit: 0 },
        read: (b) => String(b['count']),
      };
    case 'create':
      return { method: 'POST', path: base, params: { title: 'new' }, read: () => 'ok' };
    case 'update':
      return { method: 'PUT', path: `${base}/${id}`, params: { note: `by ${cell.caller}` }, read: () => 'ok' };
    case 'delete': {
      const fresh = await seedObject({ server: world.server, cls: cell.cls, userIds: world.userIds, title: 'fresh' });
      return { method: 'DELETE', path: `${base}/${fresh}`, read: () => 'ok' };
    }
    case 'include':
      return {
        method: 'GET',
        path: `/classes/Holder${className}/${world.holders[className]}`,
        params: { include: 'target' },
        read: (b) => includeAnswer(b['target']),
      };
    default:
      throw new Error(`no REST form of ${cell.operation}`);
  }
}

async function restCall(world: World, caller: string, request: Omit<Request, 'read'>) {
  const get = request.method === 'GET';
  const query = get && request.params !== undefined ? `?${queryString(request.params)}` : '';
  return world.server.call({
    method: request.method,
    path: `${request.path}${query}`,
    headers: world.headers[caller] as Record<string, string>,
    ...(get || request.params === undefined ? {} : { body: request.params }),
  });
}

/** An oracle case as a request (its `$guess` and `$names` filled in). */
function oracleRequest(world: World, oracle: OracleCase, guess: string): Request {
  const params = withIds(withGuess(oracle.params, guess), world.ids) as Body;
  return {
    method: 'GET',
    path: oracle.path,
    params,
    read: (body) => {
      if (oracle.answer === 'count') return String(body['count']);
      const results = body['results'] as Body[];
      if (oracle.answer !== 'include') return String(results.length);
      return includeAnswer(results[0]?.['target']);
    },
  };
}

export const restDoor: Door = {
  name: 'REST',
  async runCell(world, cell) {
    if (cell.operation === 'batch') return batchCell(world, cell);
    const request = await cellRequest(world, cell);
    const response = await restCall(world, cell.caller, request);
    return failure(response) ?? request.read(response.body as Body);
  },
  async runOracle(world, { oracle, caller, guess }) {
    const request = oracleRequest(world, oracle, guess);
    const response = await restCall(world, caller, request);
    return failure(response) ?? request.read(response.body as Body);
  },
};

/** The data file's `batch` operation: a PUT inside `/batch`, answered per item. */
async function batchCell(world: World, cell: Cell): Promise<Answer> {
  const id = world.objects[cell.cls.className] as string;
  return batchOne(world, cell.caller, {
    method: 'PUT',
    path: `/classes/${cell.cls.className}/${id}`,
    params: { note: 'batch' },
    read: () => 'ok',
  });
}

async function batchOne(world: World, caller: string, request: Request): Promise<Answer> {
  const response = await world.server.call({
    method: 'POST',
    path: '/batch',
    headers: world.headers[caller] as Record<string, string>,
    body: { requests: [{ method: request.method, path: `/parse${request.path}`, body: request.params ?? {} }] },
  });
  const code = failure(response);
  if (code !== undefined) return `batch itself failed: ${code}`;
  const item = (response.body as Body[])[0] as Body;
  if (item['success'] !== undefined) return request.read(item['success'] as Body);
  return ((item['error'] as Body)['code'] as number) ?? `error ${JSON.stringify(item['error'])}`;
}

/** Every operation as the one sub-request of a `/batch` (GET sub-requests carry their parameters as the body). */
export const batchDoor: Door = {
  name: '/batch',
  notApplicable: (operation) =>
    operation === 'batch' ? 'a batch inside a batch is not a request Parse accepts' : undefined,
  async runCell(world, cell) {
    return batchOne(world, cell.caller, await cellRequest(world, cell));
  },
  oracleNotApplicable: (oracle) =>
    oracle.path.startsWith('/aggregate/') ? '/batch routes /classes, /users, /roles and /sessions only' : undefined,
  async runOracle(world, { oracle, caller, guess }) {
    return batchOne(world, caller, oracleRequest(world, oracle, guess));
  },
};

export const MASTER_CALLERS = new Set(['master', 'readOnly']);

/**
 * `GET /aggregate` is master-only in Parse: every other caller gets a bare 403, the master keys what REST
 * gives the master key. Cells: a `$match` pipeline for find/findBySecret, `$count` for count, `distinct` for get.
 */
export const aggregateDoor: Door = {
  name: 'aggregate',
  notApplicable: (operation) =>
    ['find', 'findBySecret', 'count', 'get'].includes(operation)
      ? undefined
      : 'aggregate and distinct only read (find, count, get as distinct)',
  expectation(cell) {
    if (!MASTER_CALLERS.has(cell.caller)) return 'http 403';
    return cell.operation === 'get' ? 'ok' : cell.rest;
  },
  async runCell(world, cell) {
    const { className } = cell.cls;
    const params: Body =
      cell.operation === 'get'
        ? { distinct: 'secret', where: { objectId: world.objects[className] } }
        : cell.operation === 'count'
          ? { pipeline: [{ $match: { title: 't' } }, { $count: 'n' }] }
          : { pipeline: [{ $match: FIND_WHERE[cell.operation] }] };
    const response = await restCall(world, cell.caller, { method: 'GET', path: `/aggregate/${className}`, params });
    const code = failure(response);
    if (code !== undefined) return code;
    const results = (response.body as Body)['results'] as Body[];
    if (cell.operation === 'get')
      return (results as unknown[]).includes('s') ? 'ok' : `distinct ${JSON.stringify(results)}`;
    if (cell.operation === 'count') return String(results[0]?.['n'] ?? 0);
    return listAnswer(results);
  },
  cases: [
    {
      // Even the master key's aggregate never hands out what Parse never returns: password hashes, session tokens.
      name: 'aggregate output carries no password hash or session token',
      async run(world) {
        const tokens = Object.values(world.headers)
          .map((h) => h['X-Parse-Session-Token'])
          .filter((t): t is string => t !== undefined);
        // [pipeline, what the master keys get: 'clean' or the refusal's code]
        const pipelines: Record<string, [unknown[], Answer]> = {
          '_User all fields': [[{ $match: {} }], 'clean'],
          '_User grouped by the hash': [[{ $group: { _id: '$_hashed_password', n: { $sum: 1 } } }], 105],
          '_User projected hash': [[{ $project: { h: '$_hashed_password', username: 1 } }], 105],
          '_User sorted by the hash': [[{ $sort: { _hashed_password: 1 } }], 105],
          '_User whole document': [[{ $group: { _id: '$$ROOT' } }], 105],
          '_Session all fields': [[{ $match: {} }], 'clean'],
        };
        const lines: CaseLine[] = [];
        for (const caller of matrix.callers) {
          for (const [label, [pipeline, forMaster]] of Object.entries(pipelines)) {
            const className = label.split(' ')[0] as string;
            const response = await restCall(world, caller, {
              method: 'GET',
              path: `/aggregate/${className}`,
              params: { pipeline },
            });
            const code = failure(response);
            const text = JSON.stringify(response.body);
            // A master key may read _Session's tokens (as over REST); nothing may read a hash, or a token via _User.
            const secret =
              /\$2[aby]\$|_hashed_password|"password":/.test(text) ||
              (className === '_User' && tokens.some((t) => text.includes(t)));
            const actual = code !== undefined ? code : secret ? 'secret shown' : 'clean';
            const expected = MASTER_CALLERS.has(caller) ? forMaster : 'http 403';
            lines.push({ label: `${label} as ${caller}`, expected, actual, leak: secret });
          }
        }
        return lines;
      },
    },
  ],
};

/**
 * Files: a stored file is reachable by its URL (Parse's model: the URL is the capability), so what the matrix
 * checks is that a caller learns the URL only where it may read the field holding it (get, find, include of
 * the object; `attachment` is a protected field of SecretField), and that it then downloads the same bytes.
 * Own cases: who may upload (Parse's defaults: not the public, not the read-only key) and delete (master only).
 */
export const filesDoor: Door = {
  name: 'files',
  notApplicable: (operation) =>
    ['get', 'find', 'include'].includes(operation)
      ? undefined
      : 'a file URL is learned by reading the object (get, find, include); writes are the class’s',
  expectation(cell) {
    if (typeof cell.rest === 'number') return cell.rest;
    if (cell.rest.endsWith(' hidden')) return 'no url';
    return ['ok', '1', 'included'].includes(cell.rest) ? 'downloaded' : cell.rest;
  },
  async runCell(world, cell) {
    const request = await cellRequest(world, cell);
    const response = await restCall(world, cell.caller, request);
    const code = failure(response);
    if (code !== undefined) return code;
    const body = response.body as Body;
    let object: Body | undefined;
    if (cell.operation === 'get') object = body;
    else if (cell.operation === 'find') {
      const results = body['results'] as Body[];
      if (results.length === 0) return '0';
      object = results[0];
    } else {
      const target = body['target'] as Body | undefined;
      if (target === undefined) return 'dropped';
      object = target;
    }
    const file = object?.['attachment'] as Body | undefined;
    if (file === undefined) return 'no url';
    const download = await fetch(String(file['url']));
    const bytes = await download.text();
    return download.status === 200 && bytes === world.file.content ? 'downloaded' : `download ${download.status}`;
  },
  cases: [
    {
      name: 'upload and delete a file',
      async run(world) {
        const lines: CaseLine[] = [];
        const uploadExpected: Record<string, Answer> = { anonymous: 130, readOnly: 119 };
        for (const caller of matrix.callers) {
          const response = await world.server.call({
            method: 'POST',
            path: '/files/probe.txt',
            headers: { ...(world.headers[caller] as Record<string, string>), 'Content-Type': 'text/plain' },
            raw: `uploaded by ${caller}`,
          });
          lines.push({
            label: `upload as ${caller}`,
            expected: uploadExpected[caller] ?? 'ok',
            actual: failure(response) ?? 'ok',
          });
        }
        for (const caller of matrix.callers) {
          const stored = await world.server.call({
            method: 'POST',
            path: '/files/victim.txt',
            master: true,
            headers: { 'Content-Type': 'text/plain' },
            raw: 'keep me',
          });
          const { name, url } = stored.body as { name: string; url: string };
          const response = await world.server.call({
            method: 'DELETE',
            path: `/files/${name}`,
            headers: world.headers[caller] as Record<string, string>,
          });
          const still = await fetch(url);
          const actual = failure(response) ?? (still.status === 404 ? 'ok' : `answered ok, file ${still.status}`);
          lines.push({ label: `delete as ${caller}`, expected: caller === 'master' ? 'ok' : 119, actual });
        }
        return lines;
      },
    },
  ],
};

/** The probe function's answer, in the data file's vocabulary. */
function probeAnswer(body: Body, read: (result: Body) => Answer): Answer {
  const result = body['result'] as Body;
  if (result['code'] !== undefined) return (result['code'] as number | null) ?? `error ${String(result['message'])}`;
  return read(result);
}

async function probe(
  world: World,
  call: { caller: string; params: Body },
  read: (result: Body) => Answer,
): Promise<Answer> {
  const { caller, params } = call;
  const response = await world.server.call({
    method: 'POST',
    path: '/functions/matrixProbe',
    headers: world.headers[caller] as Record<string, string>,
    body: params,
  });
  return failure(response) ?? probeAnswer(response.body as Body, read);
}

/**
 * Cloud code's Parse SDK: the world's `matrixProbe` function runs each operation with the caller's own
 * credentials (its session token; `useMasterKey` for the master key; nothing when anonymous) and must get
 * exactly what REST gives that caller.
 */
export const cloudDoor: Door = {
  name: 'cloud code SDK',
  notApplicable: (_operation, caller) =>
    caller === 'readOnly'
      ? 'cloud code holds the full master key: what a function called with the read-only key does is its own choice'
      : undefined,
  async runCell(world, cell) {
    const { className } = cell.cls;
    const id = world.objects[className] as string;
    const list = (r: Body) => listAnswer(r['results'] as Body[]);
    switch (cell.operation) {
      case 'find':
      case 'findBySecret':
        return probe(
          world,
          {
            caller: cell.caller,
            params: { op: 'query', className, query: JSON.stringify({ where: FIND_WHERE[cell.operation] }) },
          },
          list,
        );
      case 'count':
        return probe(
          world,
          {
            caller: cell.caller,
            params: { op: 'query', className, count: true, query: JSON.stringify({ where: { title: 't' } }) },
          },
          (r) => String(r['count']),
        );
      case 'get':
        return probe(
          world,
          { caller: cell.caller, params: { op: 'get', className, id } },
          (r) => `ok${hidden(r['object'] as Body)}`,
        );
      case 'include':
        return probe(
          world,
          {
            caller: cell.caller,
            params: { op: 'get', className: `Holder${className}`, id: world.holders[className], include: ['target'] },
          },
          (r) => includeAnswer((r['object'] as Body)['target']),
        );
      case 'create':
        return probe(world, { caller: cell.caller, params: { op: 'create', className } }, () => 'ok');
      case 'update':
        return probe(
          world,
          { caller: cell.caller, params: { op: 'update', className, id, note: `by ${cell.caller}` } },
          () => 'ok',
        );
      case 'delete': {
        const fresh = await seedObject({ server: world.server, cls: cell.cls, userIds: world.userIds, title: 'fresh' });
        return probe(world, { caller: cell.caller, params: { op: 'delete', className, id: fresh } }, () => 'ok');
      }
      case 'batch':
        return probe(world, { caller: cell.caller, params: { op: 'saveAll', className, id } }, () => 'ok');
      default:
        throw new Error(`unknown operation ${cell.operation}`);
    }
  },
  oracleNotApplicable: (oracle, caller) => {
    if (caller === 'readOnly')
      return 'cloud code holds the full master key: what a function called with the read-only key does is its own choice';
    if (oracle.path.startsWith('/aggregate/'))
      return 'the SDK sends aggregate and distinct with the master key always (they are master-only)';
    return undefined;
  },
  async runOracle(world, { oracle, caller, guess }) {
    const params = withIds(withGuess(oracle.params, guess), world.ids) as Body;
    const className = oracle.path.replace('/classes/', '');
    const count = oracle.answer === 'count';
    const query: Body = { where: params['where'] ?? {} };
    if (typeof params['order'] === 'string') query['order'] = params['order'];
    if (typeof params['include'] === 'string') query['include'] = params['include'];
    if (typeof params['keys'] === 'string') query['keys'] = params['keys'];
    return probe(
      world,
      { caller: caller, params: { op: 'query', className, count, query: JSON.stringify(query) } },
      (r) => {
        if (count) return String(r['count']);
        const results = r['results'] as Body[];
        if (oracle.answer !== 'include') return String(results.length);
        return includeAnswer(results[0]?.['target']);
      },
    );
  },
};
