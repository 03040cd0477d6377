// The official Parse JS SDK saving files in each form it sends them (byte array and base64 as JSON in the
// body, a Node Buffer as a streamed raw body, a URI it downloads first), attaching them to objects,
// fetching them back, downloading `file.url()` and comparing bytes; metadata and tags; destroy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { compatTargets, expectParseError, uniqueClassName, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function fetchBytes(url: string): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const response = await fetch(url);
  return {
    status: response.status,
    bytes: Buffer.from(await response.arrayBuffer()),
    type: response.headers.get('content-type'),
  };
}

for (const spec of compatTargets()) {
  describe(`parse SDK files [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;
    let sessionToken: string;
    const Album = uniqueClassName('Album');
    // The node SDK keeps no current user: each save carries the session token.
    const asUser = (): { sessionToken: string } => ({ sessionToken });

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
      // Uploads need a logged-in user by default (fileUpload.enableForPublic is false, as in Parse).
      const user = await Parse.User.signUp(`files-${randomUUID()}`, 'files-password-1', {});
      sessionToken = user.getSessionToken() ?? '';
    });
    after(async () => {
      await target?.close();
    });

    it('saves a byte-array file, attaches it to an object, fetches it back and downloads the same bytes', async () => {
      const bytes = randomBytes(10_000);
      const file = new Parse.File('photo.bin', Array.from(bytes), 'application/octet-stream');
      await file.save(asUser());
      assert.match(file.name(), /^[0-9a-f]{32}_photo\.bin$/);
      assert.equal(file.url(), `${target.serverURL}/files/${target.appId}/${file.name()}`);

      const album = new Parse.Object(Album);
      album.set('cover', file);
      await album.save(null, asUser());
      const fetched = await new Parse.Query(Album).get(album.id ?? '', asUser());
      const cover = fetched.get('cover') as InstanceType<ParseSDK['File']>;
      assert.ok(cover instanceof Parse.File);
      assert.equal(cover.name(), file.name());
      assert.equal(cover.url(), file.url());

      const got = await fetchBytes(cover.url() ?? '');
      assert.equal(got.status, 200);
      assert.equal(got.type, 'application/octet-stream');
      assert.equal(sha256(got.bytes), sha256(bytes));
    });

    it('saves a base64 file with metadata and tags (the JSON form) and a Buffer (the streamed raw form)', async () => {
      const text = Buffer.from('hello from base64\n');
      const file = new Parse.File('note.txt', { base64: text.toString('base64') }, 'text/plain');
      file.setMetadata({ author: 'ann' });
      file.setTags({ kind: 'note' });
      await file.save(asUser());
      const got = await fetchBytes(file.url() ?? '');
      assert.deepEqual(got.bytes, text);
      assert.equal(got.type, 'text/plain');
      const meta = await fetch(`${target.serverURL}/files/${target.appId}/metadata/${file.name()}`);
      assert.deepEqual(await meta.json(), { metadata: { author: 'ann' } });

      const binary = randomBytes(200_000);
      const buffered = new Parse.File('blob.bin', binary as unknown as number[], 'application/octet-stream');
      await buffered.save(asUser());
      assert.equal(sha256((await fetchBytes(buffered.url() ?? '')).bytes), sha256(binary));
    });

    it('saves a file from a URI (the SDK downloads it, then uploads it as base64)', async () => {
      const original = new Parse.File(
        'source.txt',
        { base64: Buffer.from('copy me').toString('base64') },
        'text/plain',
      );
      await original.save(asUser());
      const copy = new Parse.File('copy.txt', { uri: original.url() ?? '' });
      await copy.save(asUser());
      assert.notEqual(copy.name(), original.name());
      assert.equal((await fetchBytes(copy.url() ?? '')).bytes.toString(), 'copy me');
    });

    it('destroys a file with the master key; the URL then answers 404', async () => {
      const file = new Parse.File('doomed.txt', { base64: Buffer.from('bye').toString('base64') }, 'text/plain');
      await file.save(asUser());
      assert.equal((await fetchBytes(file.url() ?? '')).status, 200);
      await file.destroy({ useMasterKey: true });
      assert.equal((await fetchBytes(`${target.serverURL}/files/${target.appId}/${file.name()}`)).status, 404);
    });

    it('refuses uploads by the public (130) and active content (130)', async () => {
      const page = new Parse.File('page.html', { base64: Buffer.from('<b>x</b>').toString('base64') }, 'text/html');
      await expectParseError(page.save(asUser()) ?? Promise.resolve(), 130);
      const anonymous = new Parse.File('anon.txt', { base64: Buffer.from('x').toString('base64') }, 'text/plain');
      const err = await expectParseError(anonymous.save() ?? Promise.resolve(), 130);
      assert.equal(err.message, 'File upload by public is disabled.');
    });
  });
}
