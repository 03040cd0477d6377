/**
 * A server for the files API tests (files-api.test.ts, files-api-options.test.ts) on either backend, SQLite with a
 * local directory or MongoDB with GridFS, with a probe of what its store holds; and their shared checks.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { listFiles } from './files.test-util.js';
import type { RawResult } from './files.test-util.js';

type Json = Record<string, unknown>;

const mongoURI = process.env['STRATA_TEST_MONGODB_URI'];

export interface Backend {
  name: 'sqlite' | 'mongodb';
  skip: string | false;
}

/** What a test can inspect about the store behind a server: the stored entries, however kept. */
export interface StoreProbe {
  entries(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startFilesServer(
  backend: Backend['name'],
  overrides: Parameters<typeof startTestServer>[0] = {},
): Promise<{ server: TestServer; probe: StoreProbe; databaseURI?: string }> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'strata-files-'));
    const server = await startTestServer({ filesDirectory: dir, ...overrides });
    return {
      server,
      probe: {
        entries: () => listFiles(dir),
        close: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
      },
    };
  }
  const uri = `${(mongoURI ?? '').replace(/\/+$/, '')}/strata_test_files_${randomBytes(6).toString('hex')}`;
  const server = await startTestServer({ backend: 'mongodb', databaseURI: uri, ...overrides });
  const client = new MongoClient(uri);
  return {
    server,
    databaseURI: uri,
    probe: {
      async entries() {
        const db = client.db();
        const files = await db.collection('fs.files').find({}).toArray();
        const chunks = await db.collection('fs.chunks').countDocuments({});
        return [...files.map((f) => String(f['filename'])).sort(), `chunks:${chunks}`];
      },
      async close() {
        await client.db().dropDatabase();
        await client.close();
      },
    },
  };
}

export async function signUp(server: TestServer, body: Json): Promise<string> {
  const res = await server.call({ method: 'POST', path: '/users', body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return String((res.body as Json)['sessionToken']);
}

export function expectError(res: RawResult, status: number, code: number): void {
  assert.equal(res.status, status, res.body.toString());
  assert.equal(res.json['code'], code, res.body.toString());
}
