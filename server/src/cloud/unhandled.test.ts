import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

/**
 * Runs in a child process: the test runner itself turns an unhandled rejection into a failure, so the
 * server's own guard is observed where nothing else listens — a real Strata app whose cloud function and
 * beforeSave trigger leak rejected promises, called over HTTP.
 */
const SCRIPT = `
import { startTestServer } from ${JSON.stringify(fileURLToPath(new URL('../testing/test-server.test-util.ts', import.meta.url)))};
const server = await startTestServer({
  cloudSetup: (registry) => {
    registry.defineFunction({
      name: 'leaks',
      source: 'strata',
      handler: async () => {
        void Promise.reject(new Error('nobody awaits me'));
        return { result: 'answered' };
      },
    });
    registry.defineTrigger({
      triggerName: 'beforeSave',
      className: 'Leaky',
      source: 'strata',
      handler: async () => {
        void Promise.reject(new Error('a trigger leaked this'));
        return { changes: { touched: true } };
      },
    });
  },
});
const saved = await server.call({ method: 'POST', path: '/classes/Leaky', body: { n: 1 } });
const first = await server.call({ method: 'POST', path: '/functions/leaks', body: {} });
await new Promise((resolve) => setTimeout(resolve, 50));
const second = await server.call({ method: 'POST', path: '/functions/leaks', body: {} });
await new Promise((resolve) => setTimeout(resolve, 50));
process.stdout.write(JSON.stringify([first.status, first.body, second.status, second.body, saved.status, saved.body.touched]));
await server.close();
`;

describe('unhandled rejections leaked by cloud code', () => {
  it('are logged and the server keeps answering', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, `the process survived (stderr: ${stderr})`);
    assert.deepEqual(JSON.parse(stdout), [200, { result: 'answered' }, 200, { result: 'answered' }, 201, true]);
  });
});
