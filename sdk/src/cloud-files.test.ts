import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCodes, StrataError, createClient } from './index.js';
import type { StrataClient, StrataFile } from './index.js';
import { APP_ID, CLIENT_KEY, MASTER_KEY, backends, startServer } from './test-server.test-util.js';
import type { SdkTestServer } from './test-server.test-util.js';

// Files, cloud functions, jobs and Parse Config through the SDK against a real server.
const failsWith = (code: number) => (err: unknown) => {
  assert.ok(err instanceof StrataError, String(err));
  assert.equal(err.code, code, err.message);
  return true;
};

async function download(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

for (const { backend, skip } of backends()) {
  if (skip !== false) console.log(`# skipping SDK files/cloud/config tests on ${backend}: ${skip}`);
  describe(`@strata/sdk files, functions, jobs and config [${backend}]`, { skip }, () => {
    let server: SdkTestServer;
    let client: StrataClient;
    let master: StrataClient;

    before(async () => {
      server = await startServer({
        backend,
        cloud: (registry) => {
          registry.defineFunction({
            name: 'greet',
            source: 'strata',
            handler: async ({ params }) => ({
              result: {
                greeting: `Hello, ${String(params['name'])}`,
                echoed: params['when'],
                at: { __type: 'Date', iso: '2024-01-02T03:04:05.000Z' },
              },
            }),
          });
          registry.defineFunction({ name: 'nothing', source: 'strata', handler: async () => ({ result: undefined }) });
          registry.defineJob({
            name: 'tally',
            source: 'strata',
            handler: async ({ params }) => `counted ${String(params['n'])}`,
          });
        },
      });
      client = createClient({ serverURL: server.serverURL, appId: APP_ID, clientKey: CLIENT_KEY });
      master = createClient({ serverURL: server.serverURL, appId: APP_ID, masterKey: MASTER_KEY });
      await client.auth.signUp({ username: `uploader-${backend}`, password: 'pw-upload-1' });
    });
    after(() => server?.close());

    it('uploads from a string, Uint8Array, ArrayBuffer, Blob and ReadableStream, and downloads the bytes', async () => {
      const bytes = new TextEncoder().encode('bytes!');
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('streamed '));
          controller.enqueue(new TextEncoder().encode('chunks'));
          controller.close();
        },
      });
      const cases: Array<[string, Parameters<StrataClient['files']['upload']>[1], string, string | undefined]> = [
        ['note.txt', 'plain text', 'plain text', undefined],
        ['data.bin', bytes, 'bytes!', 'application/octet-stream'],
        ['buffer.txt', bytes.buffer.slice(0), 'bytes!', undefined],
        ['blob.json', new Blob(['{"a":1}'], { type: 'application/json' }), '{"a":1}', undefined],
        ['stream.txt', stream, 'streamed chunks', 'text/plain'],
      ];
      for (const [name, data, expected, contentType] of cases) {
        const file = await client.files.upload(name, data, contentType === undefined ? {} : { contentType });
        assert.equal(file.__type, 'File');
        assert.match(file.name, new RegExp(`^[0-9a-f]{32}_${name.replace('.', '\\.')}$`));
        assert.equal(file.url, client.files.url(file));
        assert.equal(client.files.url(file.name), file.url);
        const got = await download(file.url);
        assert.equal(got.status, 200, name);
        assert.equal(got.text, expected, name);
      }
    });

    it('stores a file in an object field and deletes it with the master key', async () => {
      const photo = await client.files.upload('cat.txt', 'meow', { contentType: 'text/plain' });
      const pets = client.collection<{ name: string; photo?: StrataFile }>('Pet');
      const pet = await pets.create({ name: 'Tom', photo });
      const read = await pets.get(pet.objectId);
      assert.equal(read.photo?.name, photo.name);
      assert.equal(read.photo?.url, photo.url);
      await assert.rejects(
        client.files.delete(photo),
        (err: unknown) => err instanceof StrataError && err.status === 403,
      );
      assert.equal((await download(photo.url)).status, 200);
      await master.files.delete(photo);
      assert.equal((await download(photo.url)).status, 404);
    });

    it('refuses public uploads and bad names with the Parse error', async () => {
      const anonymous = createClient({ serverURL: server.serverURL, appId: APP_ID, clientKey: CLIENT_KEY });
      await assert.rejects(anonymous.files.upload('x.txt', 'x'), failsWith(ErrorCodes.FILE_SAVE_ERROR));
      await assert.rejects(client.files.upload('bad/name.txt', 'x'), failsWith(ErrorCodes.INVALID_FILE_NAME));
      await assert.rejects(client.files.upload('page.html', '<b>x</b>'), failsWith(ErrorCodes.FILE_SAVE_ERROR));
    });

    it('runs cloud functions with typed params and decoded results', async () => {
      const when = new Date('2030-05-06T07:08:09.010Z');
      const answer = await client.functions.run<
        { name: string; when: Date },
        { greeting: string; echoed: Date; at: Date }
      >('greet', { name: 'Ann', when });
      assert.equal(answer.greeting, 'Hello, Ann');
      assert.ok(answer.echoed instanceof Date);
      assert.equal(answer.echoed.toISOString(), when.toISOString());
      assert.equal(answer.at.toISOString(), '2024-01-02T03:04:05.000Z');
      assert.equal(await client.functions.run('nothing'), undefined);
      await assert.rejects(client.functions.run('missing'), failsWith(ErrorCodes.SCRIPT_FAILED));
    });

    it('starts jobs with the master key and sees them finish', async () => {
      const { jobStatusId } = await master.jobs.start('tally', { n: 3 });
      assert.match(jobStatusId ?? '', /^[A-Za-z0-9]{10}$/);
      const statuses = master.collection<{ status: string; message?: string; jobName: string }>('_JobStatus');
      let status = await statuses.get(jobStatusId as string);
      for (let i = 0; i < 200 && status.status === 'running'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = await statuses.get(jobStatusId as string);
      }
      assert.equal(status.status, 'succeeded', 'the job did not finish within 20 s');
      assert.equal(status.jobName, 'tally');
      assert.equal(status.message, 'counted 3');
      await assert.rejects(
        client.jobs.start('tally'),
        (err: unknown) => err instanceof StrataError && err.status === 403,
      );
      await assert.rejects(master.jobs.start('missing'), failsWith(ErrorCodes.SCRIPT_FAILED));
    });

    it('reads Parse Config, hiding master-only parameters from clients', async () => {
      assert.deepEqual(await client.config.get(), {});
      const launch = new Date('2031-01-01T00:00:00.000Z');
      await master.config.update({ greeting: 'hi', launch, secret: 's3' }, { masterKeyOnly: { secret: true } });
      const config = await client.config.get<{ greeting: string; launch: Date; secret?: string }>();
      assert.equal(config.greeting, 'hi');
      assert.ok(config.launch instanceof Date);
      assert.equal(config.launch.toISOString(), launch.toISOString());
      assert.equal(config.secret, undefined);
      assert.equal((await master.config.get<{ secret: string }>()).secret, 's3');
      await assert.rejects(
        client.config.update({ greeting: 'no' }),
        (err: unknown) => err instanceof StrataError && err.status === 403,
      );
      assert.equal((await client.config.get<{ greeting: string }>()).greeting, 'hi');
    });
  });
}
