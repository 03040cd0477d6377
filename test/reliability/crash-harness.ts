/**
 * Crash consistency (issue 19 item 3): the real `strata` process under a mixed write load is killed with
 * SIGKILL at a random moment, started again on the same data, and what it holds is compared with what it
 * acknowledged before dying. The load, from several concurrent clients over keep-alive connections:
 * - creates (`Item`), each with a 2 KB payload and a unique (worker, seq);
 * - increments of one shared counter (`Counter.count`, `__op: Increment`);
 * - relation adds (`Parent.children`, `AddRelation` of an acknowledged item);
 * - `/batch` with `transaction: true`: 2-6 creates of `TxItem` sharing one `tx` id;
 * - file uploads (random bytes, 1-64 KB) followed by an object pointing at the file;
 * - cloud jobs (`mark`, which writes a `JobMark` with the job's key).
 * After each restart (rounds accumulate on the same data) it checks:
 * - lost: an acknowledged create, relation add, transaction, file or job missing; the counter below the number
 *   of acknowledged increments (or above the number attempted);
 * - partial: a transaction with some but not all of its `TxItem`s visible;
 * - corrupt: an acknowledged file whose bytes differ, or (local files) any stored file that is not byte for byte
 *   one of the uploads attempted (a half-written file);
 * - jobs: every acknowledged job reaches `succeeded` after the restart and its mark exists.
 * What a SIGKILL tests: the process dies mid-write with no shutdown code; the OS (page cache) survives. It is
 * not a power cut: SQLite's WAL and MongoDB's journal settings decide that case, not Strata.
 *
 * FerretDB 1.x has no transactions: there a `transaction: true` batch must be refused (108) with nothing
 * written, and that is what is checked; acknowledged single writes must survive as on SQLite.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/free-port.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'server/src/main.ts');
const APP_ID = 'crash-app';
const MASTER_KEY = `crash-master-${randomBytes(6).toString('hex')}`;

const CLOUD = `
Parse.Cloud.job('mark', async (request) => {
  const mark = new Parse.Object('JobMark');
  mark.set('key', request.params.key);
  await mark.save(null, { useMasterKey: true });
  return request.params.key;
});
`;

export interface CrashOptions {
  readonly backend: 'sqlite' | 'mongodb';
  readonly rounds: number;
  readonly seed: number;
  /** A fresh directory for the data dir, cloud code and logs. */
  readonly dir: string;
  /** MongoDB server URI (no database) for `mongodb`. */
  readonly mongoURI?: string;
  /** Concurrent clients (default 6). */
  readonly clients?: number;
  /** The kill comes after a random time in this range of load, in ms (default 800-2500). */
  readonly loadMs?: readonly [number, number];
  readonly log?: (line: string) => void;
}

export interface RoundResult {
  readonly round: number;
  readonly killAfterMs: number;
  readonly acked: Record<'creates' | 'increments' | 'relations' | 'transactions' | 'files' | 'jobs', number>;
  /** Requests sent whose answer never came (cut by the kill): each may or may not have been applied. */
  readonly inFlightAtKill: number;
  readonly transactionsRefused: number;
  readonly counter: { readonly value: number; readonly acked: number; readonly attempted: number };
  readonly lost: readonly string[];
  readonly partialTransactions: readonly string[];
  readonly corruptFiles: readonly string[];
  readonly jobsNotRun: readonly string[];
}

interface Ledger {
  items: Map<string, string>; // objectId -> "worker:seq"
  relations: Set<string>; // item objectIds added to Parent.children
  transactions: Map<string, number>; // tx id -> size, acknowledged
  attemptedTransactions: Map<string, number>;
  files: Map<string, string>; // file name -> sha256
  attemptedFileHashes: Set<string>;
  jobs: Map<string, string>; // key -> job status id
  incrementsAcked: number;
  incrementsAttempted: number;
  transactionsRefused: number;
}

/** mulberry32: a small seeded PRNG, so a run can be repeated. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Server {
  readonly child: ChildProcess;
  readonly base: string;
  output: string;
}

export async function runCrashRounds(options: CrashOptions): Promise<RoundResult[]> {
  const random = prng(options.seed);
  const log = options.log ?? (() => undefined);
  const dataDir = join(options.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(options.dir, 'main.js'), CLOUD);
  const databaseURI =
    options.backend === 'sqlite'
      ? `sqlite:${join(dataDir, 'strata.db')}`
      : `${(options.mongoURI ?? '').replace(/\/+$/, '')}/strata_crash_${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;

  const start = async (): Promise<Server> => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'start',
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--data-dir',
        dataDir,
        '--database-uri',
        databaseURI,
        '--app-id',
        APP_ID,
        '--master-key',
        MASTER_KEY,
        '--client-key',
        'crash-client',
        '--cloud',
        join(options.dir, 'main.js'),
        '--log-level',
        'warn',
        '--dashboard=false',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server: Server = { child, base, output: '' };
    child.stdout?.on('data', (chunk: Buffer) => (server.output = (server.output + chunk.toString()).slice(-20_000)));
    child.stderr?.on('data', (chunk: Buffer) => (server.output = (server.output + chunk.toString()).slice(-20_000)));
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`strata exited ${child.exitCode}: ${server.output}`);
      const ok = await fetch(`${base}/parse/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return server;
      if (i > 1200) throw new Error(`strata did not start: ${server.output}`);
      await sleep(100);
    }
  };

  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> => {
    const response = await fetch(`${base}/parse${path}`, {
      method,
      headers: {
        'X-Parse-Application-Id': APP_ID,
        'X-Parse-Master-Key': MASTER_KEY,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };

  const ledger: Ledger = {
    items: new Map(),
    relations: new Set(),
    transactions: new Map(),
    attemptedTransactions: new Map(),
    files: new Map(),
    attemptedFileHashes: new Set(),
    jobs: new Map(),
    incrementsAcked: 0,
    incrementsAttempted: 0,
    transactionsRefused: 0,
  };

  let server = await start();
  // The fixed objects: one counter, one parent.
  const counter = await call('POST', '/classes/Counter', { count: 0 });
  const parent = await call('POST', '/classes/Parent', { name: 'parent' });
  if (counter.status !== 201 || parent.status !== 201) throw new Error(`setup failed: ${JSON.stringify(counter.body)}`);
  const counterId = String(counter.body['objectId']);
  const parentId = String(parent.body['objectId']);

  const results: RoundResult[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const before = {
      creates: ledger.items.size,
      increments: ledger.incrementsAcked,
      relations: ledger.relations.size,
      transactions: ledger.transactions.size,
      files: ledger.files.size,
      jobs: ledger.jobs.size,
    };
    let stop = false;
    let inFlight = 0;
    const [min, max] = options.loadMs ?? [800, 2500];
    const killAfterMs = Math.round(min + random() * (max - min));
    const itemIds = (): string[] => [...ledger.items.keys()];
    // One operation per turn; an error (the kill) ends the client.
    const operation = async (worker: number, seq: number): Promise<void> => {
      const roll = random();
      if (roll < 0.3) {
        const created = await call('POST', '/classes/Item', {
          worker,
          seq,
          round,
          payload: randomBytes(1024).toString('hex'),
        });
        if (created.status === 201) ledger.items.set(String(created.body['objectId']), `${round}:${worker}:${seq}`);
      } else if (roll < 0.5) {
        ledger.incrementsAttempted += 1;
        const updated = await call('PUT', `/classes/Counter/${counterId}`, { count: { __op: 'Increment', amount: 1 } });
        if (updated.status === 200) ledger.incrementsAcked += 1;
      } else if (roll < 0.62) {
        const ids = itemIds();
        if (ids.length === 0) return;
        const id = ids[Math.floor(random() * ids.length)] as string;
        const added = await call('PUT', `/classes/Parent/${parentId}`, {
          children: { __op: 'AddRelation', objects: [{ __type: 'Pointer', className: 'Item', objectId: id }] },
        });
        if (added.status === 200) ledger.relations.add(id);
      } else if (roll < 0.8) {
        const tx = `${round}-${worker}-${seq}`;
        const size = 2 + Math.floor(random() * 5);
        ledger.attemptedTransactions.set(tx, size);
        const requests = Array.from({ length: size }, (_, i) => ({
          method: 'POST',
          path: '/parse/classes/TxItem',
          body: { tx, i, payload: randomBytes(256).toString('hex') },
        }));
        const batch = await call('POST', '/batch', { transaction: true, requests });
        const answers = Array.isArray(batch.body) ? (batch.body as Array<Record<string, unknown>>) : [];
        if (batch.status === 200 && answers.length === size && answers.every((a) => a['success'] !== undefined)) {
          ledger.transactions.set(tx, size);
        } else if (batch.status === 400 && batch.body['code'] === 108) ledger.transactionsRefused += 1;
      } else if (roll < 0.95) {
        const bytes = randomBytes(1024 + Math.floor(random() * 63 * 1024));
        const hash = sha256(bytes);
        ledger.attemptedFileHashes.add(hash);
        const response = await fetch(`${base}/parse/files/crash-${worker}-${seq}.bin`, {
          method: 'POST',
          headers: {
            'X-Parse-Application-Id': APP_ID,
            'X-Parse-Master-Key': MASTER_KEY,
            'Content-Type': 'application/octet-stream',
          },
          body: bytes,
        });
        const answer = (await response.json()) as Record<string, unknown>;
        if (response.status !== 201) return;
        const name = String(answer['name']);
        const holder = await call('POST', '/classes/FileHolder', { file: { __type: 'File', name }, sha: hash });
        if (holder.status === 201) ledger.files.set(name, hash);
      } else {
        const key = `${round}-${worker}-${seq}`;
        const started = await call('POST', '/jobs/mark', { key });
        const statusId = started.headers.get('x-parse-job-status-id');
        if (started.status === 200 && statusId !== null) ledger.jobs.set(key, statusId);
      }
    };
    const client = async (worker: number): Promise<void> => {
      for (let seq = 0; !stop; seq++) {
        inFlight += 1;
        try {
          await operation(worker, seq);
          inFlight -= 1;
        } catch {
          // The server died under this request: its outcome is unknown (it stays counted as in flight).
          return;
        }
      }
    };
    const clients = Array.from({ length: options.clients ?? 6 }, (_, worker) => client(worker));
    await sleep(killAfterMs);
    server.child.kill('SIGKILL');
    stop = true;
    await new Promise<void>((resolve) => {
      if (server.child.exitCode !== null || server.child.signalCode !== null) resolve();
      else server.child.once('exit', () => resolve());
    });
    await Promise.all(clients);
    const inFlightAtKill = inFlight;
    server = await start();
    const check = await verify({ call, base, ledger, counterId, parentId, backend: options.backend, dataDir });
    const result: RoundResult = {
      round,
      killAfterMs,
      acked: {
        creates: ledger.items.size - before.creates,
        increments: ledger.incrementsAcked - before.increments,
        relations: ledger.relations.size - before.relations,
        transactions: ledger.transactions.size - before.transactions,
        files: ledger.files.size - before.files,
        jobs: ledger.jobs.size - before.jobs,
      },
      inFlightAtKill,
      transactionsRefused: ledger.transactionsRefused,
      ...check,
    };
    log(
      `round ${round} (${options.backend}): killed after ${killAfterMs} ms with ${inFlightAtKill} requests in flight; ` +
        `acknowledged ${JSON.stringify(result.acked)}; counter ${check.counter.value} (acked ${check.counter.acked}, ` +
        `attempted ${check.counter.attempted}); lost ${check.lost.length}, partial ${check.partialTransactions.length}, ` +
        `corrupt ${check.corruptFiles.length}, jobs not run ${check.jobsNotRun.length}`,
    );
    results.push(result);
  }
  server.child.kill('SIGTERM');
  await new Promise<void>((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) resolve();
    else server.child.once('exit', () => resolve());
  });
  return results;
}

type Call = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;

/** Reads a whole class with the master key, in pages. */
async function readAll(call: Call, className: string, where: object = {}): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (let skip = 0; ; skip += 1000) {
    const page = await call(
      'GET',
      `/classes/${className}?limit=1000&skip=${skip}&order=objectId&where=${encodeURIComponent(JSON.stringify(where))}`,
    );
    if (page.status !== 200) throw new Error(`reading ${className}: ${JSON.stringify(page.body)}`);
    const results = page.body['results'] as Array<Record<string, unknown>>;
    out.push(...results);
    if (results.length < 1000) return out;
  }
}

async function verify(options: {
  call: Call;
  base: string;
  ledger: Ledger;
  counterId: string;
  parentId: string;
  backend: 'sqlite' | 'mongodb';
  dataDir: string;
}): Promise<Pick<RoundResult, 'counter' | 'lost' | 'partialTransactions' | 'corruptFiles' | 'jobsNotRun'>> {
  const { call, ledger } = options;
  const lost: string[] = [];
  const items = new Set((await readAll(call, 'Item')).map((item) => String(item['objectId'])));
  for (const [id, what] of ledger.items) if (!items.has(id)) lost.push(`Item ${id} (${what})`);

  const counter = await call('GET', `/classes/Counter/${options.counterId}`);
  const value = Number(counter.body['count']);
  if (!(value >= ledger.incrementsAcked))
    lost.push(`Counter.count ${value} < ${ledger.incrementsAcked} acknowledged increments`);
  if (!(value <= ledger.incrementsAttempted))
    lost.push(`Counter.count ${value} > ${ledger.incrementsAttempted} attempted increments`);

  const related = new Set(
    (
      await readAll(call, 'Item', {
        $relatedTo: { object: { __type: 'Pointer', className: 'Parent', objectId: options.parentId }, key: 'children' },
      })
    ).map((item) => String(item['objectId'])),
  );
  for (const id of ledger.relations) if (!related.has(id)) lost.push(`relation Parent.children -> Item ${id}`);

  const partialTransactions: string[] = [];
  const byTx = new Map<string, Set<number>>();
  for (const row of await readAll(call, 'TxItem')) {
    const tx = String(row['tx']);
    const set = byTx.get(tx) ?? new Set<number>();
    set.add(Number(row['i']));
    byTx.set(tx, set);
  }
  for (const [tx, seen] of byTx) {
    const size = ledger.attemptedTransactions.get(tx);
    if (size === undefined) partialTransactions.push(`TxItem rows for a transaction never sent: ${tx}`);
    else if (seen.size !== size) partialTransactions.push(`transaction ${tx}: ${seen.size} of ${size} objects visible`);
  }
  for (const [tx, size] of ledger.transactions) {
    if ((byTx.get(tx)?.size ?? 0) !== size) lost.push(`acknowledged transaction ${tx} (${size} objects)`);
  }

  const corruptFiles: string[] = [];
  for (const [name, hash] of ledger.files) {
    const response = await fetch(`${options.base}/parse/files/${APP_ID}/${name}`);
    if (response.status !== 200) {
      lost.push(`file ${name} (HTTP ${response.status})`);
      continue;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (sha256(bytes) !== hash) corruptFiles.push(`file ${name}: ${bytes.length} bytes, not what was uploaded`);
  }
  if (options.backend === 'sqlite') {
    // The local store: every file in place is one of the uploads, whole (no half-written file).
    const directory = join(options.dataDir, 'files');
    let names: string[] = [];
    try {
      names = readdirSync(directory).filter((name) => !name.startsWith('.'));
    } catch {
      names = [];
    }
    for (const name of names) {
      const path = join(directory, name);
      if (!statSync(path).isFile()) continue;
      if (!ledger.attemptedFileHashes.has(sha256(readFileSync(path)))) {
        corruptFiles.push(`stored file ${name} is not any upload (partial write?)`);
      }
    }
  }

  const jobsNotRun: string[] = [];
  const deadline = Date.now() + 120_000;
  const pending = new Map(ledger.jobs);
  while (pending.size > 0 && Date.now() < deadline) {
    for (const [key, statusId] of pending) {
      const row = await call('GET', `/classes/_JobStatus/${statusId}`);
      const status = row.body['status'];
      if (status === 'succeeded') pending.delete(key);
      else if (status === 'failed') {
        jobsNotRun.push(`job ${key}: failed (${String(row.body['message'])})`);
        pending.delete(key);
      }
    }
    if (pending.size > 0) await sleep(250);
  }
  for (const [key, statusId] of pending) jobsNotRun.push(`job ${key} (${statusId}) never succeeded`);
  const marks = new Set((await readAll(call, 'JobMark')).map((mark) => String(mark['key'])));
  for (const key of ledger.jobs.keys()) if (!marks.has(key)) jobsNotRun.push(`job ${key}: no JobMark written`);

  return {
    counter: { value, acked: ledger.incrementsAcked, attempted: ledger.incrementsAttempted },
    lost,
    partialTransactions,
    corruptFiles,
    jobsNotRun,
  };
}
