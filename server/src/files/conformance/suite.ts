import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { FileStore, StoredFileInfo } from '../adapter.js';
import { bytesOf, digestOf, failingSource, randomSource, sha256, sourceOf, stallingSource } from './streams.js';

/** How the suite gets a store and looks behind it. */
export interface FileStoreConformanceOptions {
  /** Shown in the test names, e.g. `local` or `gridfs (FerretDB, encrypted)`. */
  readonly name: string;
  /** A store over empty storage. */
  readonly open: () => Promise<FileStore>;
  /** Closes the store and removes its data. */
  readonly destroy: (store: FileStore) => Promise<void>;
  /**
   * Everything the store keeps, as sorted strings (file paths including temp and sidecar files; GridFS
   * `fs.files` and `fs.chunks` documents): a failed write must leave it unchanged.
   */
  readonly snapshot: (store: FileStore) => Promise<readonly string[]>;
  /** Size of the largest round trip; 100 MB unless a variant has a reason to differ. */
  readonly largeFileBytes?: number;
}

const MB = 1024 * 1024;
/** Crosses GridFS's 261120-byte chunks (two full chunks and a remnant). */
const MULTI_CHUNK = 261120 * 2 + 4099;

/**
 * The files conformance suite: one set of node:test cases every `FileStore` must pass. It tests behaviour
 * (bytes, ranges, attributes, atomicity, name safety), never a backend's layout beyond "nothing left".
 * Test-only (imports node:test); not re-exported from `files/index.ts`.
 */
export function runFileStoreConformance(options: FileStoreConformanceOptions): void {
  describe(`file store conformance: ${options.name}`, () => {
    let current: FileStore | undefined;
    before(async () => {
      current = await options.open();
    });
    after(async () => {
      if (current !== undefined) await options.destroy(current);
    });
    const store = (): FileStore => {
      if (current === undefined) throw new Error('store used outside its describe block');
      return current;
    };
    /** Asserts `action` rejects with `code` and leaves the store exactly as it was. */
    const rejectsLeavingNothing = async (code: number, action: () => Promise<unknown>): Promise<ParseError> => {
      const before = await options.snapshot(store());
      const error = await action().then(
        () => assert.fail(`expected ParseError ${code}, but it succeeded`),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof ParseError, `expected a ParseError, got ${String(error)}`);
      assert.equal(error.code, code, `expected code ${code}, got ${error.code}: ${error.message}`);
      assert.deepEqual(await options.snapshot(store()), before, 'the failed write left something behind');
      return error;
    };

    describe('round trips', () => {
      const cases: { label: string; bytes: () => Buffer }[] = [
        { label: 'empty', bytes: () => Buffer.alloc(0) },
        { label: '1 byte', bytes: () => Buffer.from([0xff]) },
        { label: 'small text', bytes: () => Buffer.from('Hello, Strata! ✓ ünïcödé\n') },
        { label: 'random binary across chunk boundaries', bytes: () => randomBytes(MULTI_CHUNK) },
      ];
      for (const { label, bytes: make } of cases) {
        it(`${label}: byte-exact`, async () => {
          const bytes = make();
          const name = `rt_${label.replace(/\W+/g, '_')}.bin`;
          const info = await store().write({ name, contentType: 'application/octet-stream', source: sourceOf(bytes) });
          assert.equal(info.size, bytes.length);
          const read = await store().read({ name });
          assert.ok(read !== undefined);
          const back = await bytesOf(read);
          assert.equal(back.length, bytes.length);
          assert.ok(back.equals(bytes), 'bytes differ');
          assert.equal((await store().stat(name))?.size, bytes.length);
        });
      }
      const large = options.largeFileBytes ?? 100 * MB;
      for (const size of [5 * MB, large]) {
        it(`${size / MB} MB streamed, compared by SHA-256`, async () => {
          const source = randomSource(size);
          const info = await store().write({ name: `big_${size}.bin`, source });
          assert.equal(info.size, size);
          const read = await store().read({ name: `big_${size}.bin` });
          assert.ok(read !== undefined);
          assert.deepEqual(await digestOf(read), { size, sha256: source.sha256() });
          assert.equal(await store().delete(`big_${size}.bin`), true);
        });
      }
    });

    describe('ranged reads', () => {
      const bytes = randomBytes(MULTI_CHUNK);
      const name = 'ranges_video.mp4';
      before(async () => {
        await store().write({ name, contentType: 'video/mp4', source: sourceOf(bytes) });
      });
      const ranges: { label: string; start?: number; end?: number; expected: [number, number] }[] = [
        { label: 'first byte', start: 0, end: 0, expected: [0, 1] },
        { label: 'middle, across a GridFS chunk boundary', start: 261110, end: 261130, expected: [261110, 261131] },
        { label: 'a whole second chunk', start: 261120, end: 522239, expected: [261120, 522240] },
        { label: 'last byte', start: MULTI_CHUNK - 1, end: MULTI_CHUNK - 1, expected: [MULTI_CHUNK - 1, MULTI_CHUNK] },
        { label: 'whole file, explicit', start: 0, end: MULTI_CHUNK - 1, expected: [0, MULTI_CHUNK] },
        { label: 'from an offset to the end', start: 1000, expected: [1000, MULTI_CHUNK] },
        { label: 'end past the file is clamped', start: 10, end: MULTI_CHUNK + 5000, expected: [10, MULTI_CHUNK] },
        { label: 'start past the end yields nothing', start: MULTI_CHUNK, end: MULTI_CHUNK + 10, expected: [0, 0] },
      ];
      for (const range of ranges) {
        it(range.label, async () => {
          const read = await store().read({
            name,
            ...(range.start === undefined ? {} : { start: range.start }),
            ...(range.end === undefined ? {} : { end: range.end }),
          });
          assert.ok(read !== undefined);
          const back = await bytesOf(read);
          assert.ok(back.equals(bytes.subarray(...range.expected)), `wrong bytes for ${range.label}`);
        });
      }
      it('an empty file has no bytes in any range', async () => {
        await store().write({ name: 'ranges_empty.txt', source: sourceOf(Buffer.alloc(0)) });
        const read = await store().read({ name: 'ranges_empty.txt', start: 0, end: 0 });
        assert.ok(read !== undefined);
        assert.equal((await bytesOf(read)).length, 0);
      });
      for (const bad of [
        { start: -1, end: 3 },
        { start: 5, end: 2 },
        { start: 1.5, end: 3 },
        { start: 0, end: Number.NaN },
      ]) {
        it(`refuses the range ${JSON.stringify(bad)} with 162`, async () => {
          await assert.rejects(store().read({ name, ...bad }), isParseError(ErrorCode.INVALID_VALUE));
        });
      }
      it('stopping a read early leaves the file readable and deletable', async () => {
        const read = await store().read({ name });
        assert.ok(read !== undefined);
        for await (const chunk of read) {
          assert.ok(chunk.length > 0);
          break;
        }
        assert.equal((await digestOf((await store().read({ name }))!)).sha256, sha256(bytes));
      });
    });

    describe('stat', () => {
      it('describes a stored file', async () => {
        const bytes = Buffer.from('{"ok":true}');
        const written = await store().write({
          name: 'stat_a.json',
          contentType: 'application/json',
          source: sourceOf(bytes),
        });
        const info = await store().stat('stat_a.json');
        assert.ok(info !== undefined);
        assertInfo(info, { name: 'stat_a.json', size: bytes.length, contentType: 'application/json' });
        assert.deepEqual(info, written, 'write() and stat() describe the file alike');
        assert.deepEqual(await store().stat('stat_a.json'), info, 'stat is stable while the file is unchanged');
      });
      it('gives a new ETag when the content is replaced, and reads the new content', async () => {
        const first = await store().write({ name: 'stat_b.txt', source: sourceOf(Buffer.from('one')) });
        const second = await store().write({ name: 'stat_b.txt', source: sourceOf(Buffer.from('two!')) });
        assert.notEqual(second.etag, first.etag);
        assert.equal((await store().stat('stat_b.txt'))?.etag, second.etag);
        assert.equal((await store().stat('stat_b.txt'))?.size, 4);
        assert.equal((await bytesOf((await store().read({ name: 'stat_b.txt' }))!)).toString(), 'two!');
      });
      it('derives the content type from the extension when none was given', async () => {
        await store().write({ name: 'stat_c.PNG', source: sourceOf(Buffer.from([0x89, 0x50])) });
        assert.equal((await store().stat('stat_c.PNG'))?.contentType, 'image/png');
        await store().write({ name: 'stat_d.unknownext', source: sourceOf(Buffer.from('x')) });
        assert.equal((await store().stat('stat_d.unknownext'))?.contentType, undefined);
      });
      it('knows nothing of a missing file', async () => {
        assert.equal(await store().stat('stat_missing.txt'), undefined);
        assert.equal(await store().read({ name: 'stat_missing.txt' }), undefined);
        assert.equal(await store().read({ name: 'stat_missing.txt', start: 0, end: 10 }), undefined);
      });
      it('keeps a directory part (parse-server `dir/name`) as part of the name', async () => {
        await store().write({ name: 'avatars/2024/stat_e.txt', source: sourceOf(Buffer.from('deep')) });
        assert.equal((await store().stat('avatars/2024/stat_e.txt'))?.size, 4);
        assert.equal(await store().stat('avatars/2024'), undefined);
        assert.equal(await store().stat('stat_e.txt'), undefined);
        assert.equal(await store().delete('avatars/2024/stat_e.txt'), true);
      });
    });

    describe('metadata and tags', () => {
      it('round-trip', async () => {
        const metadata = { owner: 'u1', caption: 'Sunset ☀ at "the" beach', empty: '' };
        const tags = { album: 'holidays', year: '2024' };
        const written = await store().write({
          name: 'meta_a.jpg',
          contentType: 'image/jpeg',
          source: sourceOf(Buffer.from('jpeg')),
          metadata,
          tags,
        });
        assert.deepEqual(written.metadata, metadata);
        const info = await store().stat('meta_a.jpg');
        assert.deepEqual(info?.metadata, metadata);
        assert.deepEqual(info?.tags, tags);
      });
      it('default to empty metadata', async () => {
        await store().write({ name: 'meta_b.txt', source: sourceOf(Buffer.from('x')) });
        assert.deepEqual((await store().stat('meta_b.txt'))?.metadata, {});
      });
      const refused: { label: string; code: number; metadata?: unknown; tags?: unknown }[] = [
        { label: '__proto__ key', code: ErrorCode.INVALID_KEY_NAME, metadata: JSON.parse('{"__proto__":"x"}') },
        { label: 'constructor tag', code: ErrorCode.INVALID_KEY_NAME, tags: { constructor: 'x' } },
        { label: 'dotted key', code: ErrorCode.INVALID_NESTED_KEY, metadata: { 'a.b': 'x' } },
        { label: '$ key', code: ErrorCode.INVALID_NESTED_KEY, tags: { $where: 'x' } },
        { label: 'non-string value', code: ErrorCode.INCORRECT_TYPE, metadata: { n: 1 } },
        { label: 'not an object', code: ErrorCode.INVALID_JSON, metadata: ['x'] },
        { label: 'over 64 KiB', code: ErrorCode.OBJECT_TOO_LARGE, metadata: { big: 'x'.repeat(70_000) } },
      ];
      for (const { label, code, metadata, tags } of refused) {
        it(`refuses ${label} with ${code}, storing nothing`, async () => {
          await rejectsLeavingNothing(code, () =>
            store().write({
              name: 'meta_refused.txt',
              source: sourceOf(Buffer.from('x')),
              ...(metadata === undefined ? {} : { metadata: metadata as Record<string, string> }),
              ...(tags === undefined ? {} : { tags: tags as Record<string, string> }),
            }),
          );
          assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'x'), false);
        });
      }
    });

    describe('delete', () => {
      it('is true when something was deleted, false otherwise', async () => {
        await store().write({ name: 'del_a.txt', source: sourceOf(Buffer.from('bye')) });
        assert.equal(await store().delete('del_a.txt'), true);
        assert.equal(await store().stat('del_a.txt'), undefined);
        assert.equal(await store().read({ name: 'del_a.txt' }), undefined);
        assert.equal(await store().delete('del_a.txt'), false);
        assert.equal(await store().delete('del_never.txt'), false);
      });
      it('removes every trace of the file', async () => {
        const before = await options.snapshot(store());
        await store().write({ name: 'del_b.txt', source: sourceOf(randomBytes(MULTI_CHUNK)), metadata: { a: 'b' } });
        assert.notDeepEqual(await options.snapshot(store()), before);
        assert.equal(await store().delete('del_b.txt'), true);
        assert.deepEqual(await options.snapshot(store()), before);
      });
    });

    describe('failed writes leave nothing behind', () => {
      it('maxBytes exceeded while streaming → 116', async () => {
        const error = await rejectsLeavingNothing(ErrorCode.OBJECT_TOO_LARGE, () =>
          store().write({
            name: 'fail_big.bin',
            source: sourceOf(randomBytes(MULTI_CHUNK)),
            maxBytes: MULTI_CHUNK - 1,
          }),
        );
        assert.equal(error.httpStatus, 413);
        assert.equal(await store().stat('fail_big.bin'), undefined);
      });
      it('maxBytes exceeded by a huge stream stops reading it', async () => {
        let pulled = 0;
        async function* endless(): AsyncGenerator<Buffer> {
          for (;;) {
            pulled += 1;
            yield randomBytes(64 * 1024);
          }
        }
        await rejectsLeavingNothing(ErrorCode.OBJECT_TOO_LARGE, () =>
          store().write({ name: 'fail_endless.bin', source: endless(), maxBytes: MB }),
        );
        assert.ok(pulled <= 17, `read ${pulled} pieces of 64 KiB for a 1 MiB limit`);
      });
      it('a file of exactly maxBytes is stored', async () => {
        const info = await store().write({ name: 'ok_exact.bin', source: sourceOf(randomBytes(1000)), maxBytes: 1000 });
        assert.equal(info.size, 1000);
      });
      it('a source that fails midway → 130 with the cause', async () => {
        const error = await rejectsLeavingNothing(ErrorCode.FILE_SAVE_ERROR, () =>
          store().write({ name: 'fail_source.bin', source: failingSource(randomBytes(MULTI_CHUNK)) }),
        );
        assert.match(String((error.cause as Error | undefined)?.message), /connection reset/);
        assert.equal(await store().stat('fail_source.bin'), undefined);
      });
      it('an abort signal fired while the source waits → rejected, source stopped', async () => {
        const controller = new AbortController();
        const source = stallingSource(randomBytes(MULTI_CHUNK), controller);
        await rejectsLeavingNothing(ErrorCode.FILE_SAVE_ERROR, () =>
          store().write({ name: 'fail_abort.bin', source, signal: controller.signal }),
        );
        assert.equal(source.stopped(), true, 'the source was not told to stop');
      });
      it('an already aborted signal → rejected', async () => {
        await rejectsLeavingNothing(ErrorCode.FILE_SAVE_ERROR, () =>
          store().write({
            name: 'fail_aborted.bin',
            source: sourceOf(Buffer.from('x')),
            signal: AbortSignal.abort(),
          }),
        );
      });
      it('a failed overwrite keeps the previous content', async () => {
        await store().write({ name: 'fail_keep.txt', source: sourceOf(Buffer.from('original')) });
        const before = await store().stat('fail_keep.txt');
        await assert.rejects(
          store().write({ name: 'fail_keep.txt', source: failingSource(Buffer.from('replacement')) }),
          isParseError(ErrorCode.FILE_SAVE_ERROR),
        );
        assert.deepEqual(await store().stat('fail_keep.txt'), before);
        assert.equal((await bytesOf((await store().read({ name: 'fail_keep.txt' }))!)).toString(), 'original');
      });
    });

    it('20 concurrent writes of different files do not interfere', async () => {
      const files = Array.from({ length: 20 }, (_, i) => ({
        name: `concurrent_${i}.bin`,
        bytes: randomBytes(1000 + i * 29_000),
        metadata: { index: String(i) },
      }));
      await Promise.all(
        files.map((f) => store().write({ name: f.name, source: sourceOf(f.bytes, 16 * 1024), metadata: f.metadata })),
      );
      for (const f of files) {
        const info = await store().stat(f.name);
        assert.equal(info?.size, f.bytes.length);
        assert.deepEqual(info?.metadata, f.metadata);
        assert.equal((await digestOf((await store().read({ name: f.name }))!)).sha256, sha256(f.bytes));
      }
      await Promise.all(files.map(async (f) => assert.equal(await store().delete(f.name), true)));
    });

    describe('unsafe names are refused with 122', () => {
      const names = [
        '',
        '..',
        '../escape.txt',
        'a/../../escape.txt',
        'a/./b.txt',
        '/etc/passwd',
        'a\\..\\b.txt',
        'nul\u0000byte.txt',
        'line\nbreak.txt',
        'tab\there.txt',
        'del\u007f.txt',
        '.hidden',
        '.tmp/x',
        '.meta/x',
        'a//b.txt',
        'trailing/',
        'x'.repeat(300),
        'y'.repeat(2000),
      ];
      for (const name of names) {
        it(JSON.stringify(name.length > 40 ? `${name.slice(0, 10)}…(${name.length})` : name), async () => {
          await rejectsLeavingNothing(ErrorCode.INVALID_FILE_NAME, () =>
            store().write({ name, source: sourceOf(Buffer.from('pwned')) }),
          );
          await assert.rejects(store().stat(name), isParseError(ErrorCode.INVALID_FILE_NAME));
          await assert.rejects(store().read({ name }), isParseError(ErrorCode.INVALID_FILE_NAME));
          await assert.rejects(store().delete(name), isParseError(ErrorCode.INVALID_FILE_NAME));
        });
      }
      it('a non-string name', async () => {
        await assert.rejects(
          store().write({ name: 42 as unknown as string, source: sourceOf(Buffer.from('x')) }),
          isParseError(ErrorCode.INVALID_FILE_NAME),
        );
      });
    });
  });
}

function isParseError(code: number): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ParseError, `expected a ParseError, got ${String(error)}`);
    assert.equal(error.code, code, `expected code ${code}, got ${error.code}: ${error.message}`);
    return true;
  };
}

function assertInfo(info: StoredFileInfo, expected: { name: string; size: number; contentType: string }): void {
  assert.equal(info.name, expected.name);
  assert.equal(info.size, expected.size);
  assert.equal(info.contentType, expected.contentType);
  assert.match(info.etag, /^"[\x21\x23-\x7e]+"$/, 'a quoted strong ETag');
  assert.ok(info.lastModified instanceof Date && !Number.isNaN(info.lastModified.getTime()));
  assert.ok(Math.abs(info.lastModified.getTime() - Date.now()) < 24 * 3600 * 1000, 'lastModified is about now');
}
