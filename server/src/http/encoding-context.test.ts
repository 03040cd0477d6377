import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEncodingContext } from './encoding-context.js';

describe('encoding context', () => {
  it("writes each request's file URLs under its own mount URL, however requests alternate between hosts", () => {
    const encoding = createEncodingContext({ appId: 'app', publicServerURL: undefined, maxDepth: 16 });
    const a = (): string => encoding.forRequest({ mountURL: 'http://a.example/parse' }).fileURL('f.txt');
    const b = (): string => encoding.forRequest({ mountURL: 'https://b.example:8443/api' }).fileURL('f.txt');
    for (const [url, start] of [
      [a(), 'http://a.example/parse/files/app/'],
      [b(), 'https://b.example:8443/api/files/app/'],
      [a(), 'http://a.example/parse/files/app/'],
      [a(), 'http://a.example/parse/files/app/'],
    ] as const) {
      assert.ok(url.startsWith(start), `${url} starts with ${start}`);
    }
  });

  it('writes every file URL under the public server URL when one is set', () => {
    const encoding = createEncodingContext({
      appId: 'app',
      publicServerURL: 'https://api.example/parse',
      maxDepth: 16,
    });
    const url = encoding.forRequest({ mountURL: 'http://10.0.0.5:1337/parse' }).fileURL('f.txt');
    assert.ok(url.startsWith('https://api.example/parse/files/app/'), url);
  });
});
