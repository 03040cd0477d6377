// Push benchmark (issue 16): N installations (default 100,000) on one channel, one push to all of them,
// delivered by a `strata start` process (role all, SQLite, in-process queue) to a local fake of FCM HTTP v1
// in this process. Prints the seeding time, the time from `POST /push` to the last message handed to the
// fake (and `_PushStatus` succeeded), notifications per second, and the server's resident memory sampled
// during delivery (min / max / end), which should stay flat because the audience is read in pages.
//
//   npm run build && node bench/push.js [--installations 100000] [--page-size 500] [--rate-limit 0]
//
// parse-server + @parse/push-adapter is compared by bench/push-compare.js, through APNs: the adapter's FCM
// sender goes through firebase-admin, whose send and OAuth hosts are constants, so it cannot reach this fake.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, spawnProcess, stopProcess, waitForHttp200 } from './lib/processes.js';

const repoRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({
  options: {
    installations: { type: 'string', default: '100000' },
    'page-size': { type: 'string', default: '500' },
    'rate-limit': { type: 'string', default: '0' },
  },
});
const total = Number(values.installations);
const APP_ID = 'bench-push';
const MASTER = 'bench-push-master';

// The FCM fake: OAuth token and messages:send, answering 200 at once (no JWT check: this measures Strata).
let received = 0;
let lastAt = 0;
const fake = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/token') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'bench-token', expires_in: 3600, token_type: 'Bearer' }));
      return;
    }
    received++;
    lastAt = performance.now();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(`{"name":"projects/bench/messages/${received}"}`);
  });
});
await new Promise((resolve) => fake.listen(0, '127.0.0.1', resolve));
const fakeURL = `http://127.0.0.1:${fake.address().port}`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-bench-push-'));
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const accountFile = path.join(dir, 'sa.json');
writeFileSync(
  accountFile,
  JSON.stringify({
    project_id: 'bench',
    client_email: 'bench@bench.iam.gserviceaccount.com',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    token_uri: `${fakeURL}/token`,
  }),
);
const port = await freePort();
const server = spawnProcess({
  command: process.execPath,
  args: [path.join(repoRoot, 'server/bin/strata.js'), 'start'],
  cwd: repoRoot,
  name: 'strata',
  env: {
    STRATA_PORT: String(port),
    STRATA_HOST: '127.0.0.1',
    STRATA_DATA_DIR: dir,
    STRATA_APP_ID: APP_ID,
    STRATA_MASTER_KEY: MASTER,
    STRATA_LOG_LEVEL: 'warn',
    STRATA_DASHBOARD: 'false',
    STRATA_PUSH_FCM_SERVICE_ACCOUNT: accountFile,
    STRATA_PUSH_FCM_URL: fakeURL,
    STRATA_PUSH_PAGE_SIZE: values['page-size'],
    STRATA_PUSH_RATE_LIMIT: values['rate-limit'],
  },
});
const base = `http://127.0.0.1:${port}/parse`;
const headers = { 'X-Parse-Application-Id': APP_ID, 'X-Parse-Master-Key': MASTER, 'Content-Type': 'application/json' };
const rssMb = () => {
  const line = readFileSync(`/proc/${server.child.pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.replace(/\D+/g, '') ?? 0) / 1024);
};

try {
  await waitForHttp200(server, `http://127.0.0.1:${port}/health`);
  const seedStart = performance.now();
  for (let i = 0; i < total; i += 1000) {
    const requests = [];
    for (let j = i; j < Math.min(total, i + 1000); j++) {
      requests.push({
        method: 'POST',
        path: '/parse/installations',
        body: { installationId: `bench-${j}`, deviceType: 'android', deviceToken: `token-${j}`, channels: ['all'] },
      });
    }
    const r = await fetch(`${base}/batch`, { method: 'POST', headers, body: JSON.stringify({ requests }) });
    if (r.status !== 200) throw new Error(`seeding failed: ${r.status} ${await r.text()}`);
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const before = rssMb();
  const samples = [];
  const sampler = setInterval(() => samples.push(rssMb()), 200);
  const start = performance.now();
  const sent = await fetch(`${base}/push`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ channels: ['all'], data: { alert: 'Bench', title: 'Strata' } }),
  });
  const id = sent.headers.get('x-parse-push-status-id');
  let status = {};
  while (status.status !== 'succeeded' && status.status !== 'failed') {
    await new Promise((r) => setTimeout(r, 100));
    status = await (await fetch(`${base}/classes/_PushStatus/${id}`, { headers })).json();
  }
  clearInterval(sampler);
  const handoff = (lastAt - start) / 1000;
  console.log(`installations seeded:     ${total} in ${seedSeconds.toFixed(1)} s (/batch of 1000)`);
  console.log(`push status:              ${status.status}, numSent ${status.numSent}, numFailed ${status.numFailed}`);
  console.log(`messages at the FCM fake: ${received}`);
  console.log(`hand-off time:            ${handoff.toFixed(2)} s (POST /push → last message at the fake)`);
  console.log(`throughput:               ${Math.round(received / handoff)} notifications/s`);
  console.log(
    `server RSS (MB):          before ${before}, during min ${Math.min(...samples)} / max ${Math.max(...samples)}, end ${rssMb()}`,
  );
} finally {
  await stopProcess(server);
  fake.close();
  rmSync(dir, { recursive: true, force: true });
}
