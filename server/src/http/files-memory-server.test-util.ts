// Child process of files-memory.test.ts: a Strata server on SQLite + a local files directory (argv[2]),
// reporting its mount URL, then its memory every 100 ms, over IPC.
import { startTestServer } from '../testing/test-server.test-util.js';

const dir = process.argv[2];
if (dir === undefined || process.send === undefined) throw new Error('run by files-memory.test.ts only');
const send = process.send.bind(process);
const server = await startTestServer({ filesDirectory: dir, maxUploadSize: 1024 * 1024 * 1024 });
send({ mountURL: server.mountURL });
const timer = setInterval(() => {
  const { rss, arrayBuffers } = process.memoryUsage();
  send({ sample: { rss, arrayBuffers } });
}, 100);
const stop = (): void => {
  clearInterval(timer);
  void server.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
