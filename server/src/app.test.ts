import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from './errors/index.js';
import { startTestServer } from './testing/test-server.test-util.js';

describe('createApp', () => {
  it('refuses --cloud while cloud code cannot be loaded, rather than starting without the triggers', async () => {
    await assert.rejects(
      () => startTestServer({ cloud: '/srv/cloud/main.js' }),
      (err: unknown) => err instanceof ParseError && /--cloud \/srv\/cloud\/main\.js/.test(err.message),
    );
  });
});
