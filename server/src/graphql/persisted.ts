import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';

/**
 * Persisted operations (issue 15 item 6): a file of known documents by their SHA-256 (hex), loaded at start.
 * A request names one by `documentId` or by Apollo's APQ extension `{"persistedQuery":{"version":1,
 * "sha256Hash":"…"}}`, and runs that document. With `--graphql-persisted-only`, callers without the master key
 * may run only those documents (sent by id, or as text that hashes to one of them): anything else is refused
 * before it is parsed. Otherwise APQ works as Apollo's clients expect: an unknown hash answers
 * `PersistedQueryNotFound`, the client sends the text with its hash once, and the hash is remembered (a
 * bounded cache per server). The file is either `{ "<sha256>": "<document>" }` (GraphQL Codegen's
 * persisted-documents.json) or Apollo's manifest `{ "format": "apollo-persisted-query-manifest",
 * "operations": [{ "id", "body" }] }`.
 */
export class PersistedOperations {
  readonly #known: ReadonlyMap<string, string>;
  readonly #only: boolean;
  readonly #registered = new LRUCache<string, string>({ max: 1000 });

  constructor(options: { documents: ReadonlyMap<string, string>; only: boolean }) {
    this.#known = options.documents;
    this.#only = options.only;
  }

  /** Reads the file (throws with the file's name when it is not one of the two shapes). */
  static async load(options: { file: string | undefined; only: boolean }): Promise<PersistedOperations> {
    if (options.file === undefined) return new PersistedOperations({ documents: new Map(), only: options.only });
    const parsed = JSON.parse(await readFile(options.file, 'utf8')) as unknown;
    return new PersistedOperations({ documents: documentsOf(parsed, options.file), only: options.only });
  }

  get size(): number {
    return this.#known.size;
  }

  /** Whether this caller may run only the file's documents. */
  restricts(master: boolean): boolean {
    return this.#only && !master;
  }

  /**
   * A request body (JSON: one operation or a batch) with its persisted documents filled in; a body that is not
   * JSON is left to GraphQL's own parsing unless the caller is restricted.
   */
  resolveBody(body: Buffer, master: boolean): Buffer {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      if (this.restricts(master)) throw onlyPersisted();
      return body;
    }
    const one = (operation: unknown): Record<string, unknown> => {
      if (operation === null || typeof operation !== 'object' || Array.isArray(operation)) {
        if (this.restricts(master)) throw onlyPersisted();
        return operation as Record<string, unknown>;
      }
      return this.resolve(operation as Record<string, unknown>, master);
    };
    return Buffer.from(JSON.stringify(Array.isArray(parsed) ? parsed.map(one) : one(parsed)), 'utf8');
  }

  /** A GET request's query string (`query`, `documentId`, `extensions` as JSON) with its document filled in. */
  resolveSearch(search: string, master: boolean): string {
    const params = new URLSearchParams(search);
    const operation: Record<string, unknown> = {};
    const query = params.get('query');
    const documentId = params.get('documentId');
    const extensions = params.get('extensions');
    if (query !== null) operation['query'] = query;
    if (documentId !== null) operation['documentId'] = documentId;
    if (extensions !== null) {
      try {
        operation['extensions'] = JSON.parse(extensions) as unknown;
      } catch {
        throw new PersistedRefusal('extensions must be JSON.', 400);
      }
    }
    const resolved = this.resolve(operation, master);
    params.delete('documentId');
    params.delete('extensions');
    if (typeof resolved['query'] === 'string') params.set('query', resolved['query']);
    if (resolved['extensions'] !== undefined) params.set('extensions', JSON.stringify(resolved['extensions']));
    return params.toString();
  }

  /**
   * The operation to run for one request's `{query, documentId, extensions, ...}`: the same object with the
   * persisted document as its `query`. Throws `PersistedRefusal` when it may not run.
   */
  resolve(operation: Record<string, unknown>, master: boolean): Record<string, unknown> {
    const restricted = this.#only && !master;
    const extensions = operation['extensions'];
    const apq =
      extensions !== null && typeof extensions === 'object'
        ? (extensions as Record<string, unknown>)['persistedQuery']
        : undefined;
    const apqHash =
      apq !== null && typeof apq === 'object' ? (apq as Record<string, unknown>)['sha256Hash'] : undefined;
    const id = operation['documentId'] ?? apqHash;
    const text = operation['query'];
    if (id !== undefined) {
      if (typeof id !== 'string') throw new PersistedRefusal('The persisted document id must be a string.', 400);
      const hash = id.startsWith('sha256:') ? id.slice('sha256:'.length) : id;
      const known = this.#known.get(hash) ?? (restricted ? undefined : this.#registered.get(hash));
      if (typeof text === 'string' && text !== '') {
        if (sha256(text) !== hash) throw new PersistedRefusal('provided sha does not match query', 400);
        if (known === undefined) {
          if (restricted) throw onlyPersisted();
          this.#registered.set(hash, text);
        }
        return withoutIds(operation, text);
      }
      // Apollo's clients resend the text on exactly this message.
      if (known === undefined) throw new PersistedRefusal('PersistedQueryNotFound', 200, 'PERSISTED_QUERY_NOT_FOUND');
      return withoutIds(operation, known);
    }
    if (restricted && (typeof text !== 'string' || !this.#known.has(sha256(text)))) throw onlyPersisted();
    return operation;
  }
}

/** A request refused before it runs, answered as a GraphQL error with this HTTP status. */
export class PersistedRefusal extends Error {
  readonly status: number;
  readonly code: number | string;

  constructor(message: string, status: number, code: number | string = 119) {
    super(message);
    this.status = status;
    this.code = code;
  }

  get body(): string {
    return JSON.stringify({ errors: [{ message: this.message, extensions: { code: this.code } }] });
  }
}

function onlyPersisted(): PersistedRefusal {
  return new PersistedRefusal('Only persisted operations may run on this server.', 400);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function withoutIds(operation: Record<string, unknown>, query: string): Record<string, unknown> {
  const { documentId: _id, extensions, ...rest } = operation;
  const others =
    extensions !== null && typeof extensions === 'object'
      ? Object.fromEntries(Object.entries(extensions).filter(([key]) => key !== 'persistedQuery'))
      : {};
  return { ...rest, query, ...(Object.keys(others).length === 0 ? {} : { extensions: others }) };
}

function documentsOf(parsed: unknown, file: string): Map<string, string> {
  const bad = (): Error =>
    new Error(
      `${file}: expected {"<sha256>": "<document>"} or an apollo-persisted-query-manifest with operations [{id, body}]`,
    );
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad();
  const record = parsed as Record<string, unknown>;
  const documents = new Map<string, string>();
  if (Array.isArray(record['operations'])) {
    for (const entry of record['operations'] as unknown[]) {
      const { id, body } = (entry ?? {}) as Record<string, unknown>;
      if (typeof id !== 'string' || typeof body !== 'string') throw bad();
      documents.set(id, body);
    }
    return documents;
  }
  for (const [hash, document] of Object.entries(record)) {
    if (typeof document !== 'string') throw bad();
    documents.set(hash, document);
  }
  return documents;
}
