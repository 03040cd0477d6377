// One Strata server started the way the standalone benchmarks start it (compare.js, slow-scan.js): the built
// CLI (`server/bin/strata.js start`) on a loopback port, production mode, the bench keys, `--log-level warn`,
// answered `/health` before it is handed back. The targets of run.js (lib/targets.js) build their own.
import path from 'node:path';
import { spawnProcess, waitForHttp200 } from './processes.js';

/**
 * Starts `server/bin/strata.js start` from `repoRoot` with `--workers` (default 1) and resolves once
 * `/parse/health` answers: `{ proc, baseUrl, origin }`. `nodeArgs` go before the script (`--cpu-prof`),
 * `args` after the common flags, `env` over `NODE_ENV=production`.
 */
export async function startStrata({ repoRoot, ctx, port, dataDir, workers = 1, nodeArgs = [], args = [], env = {} }) {
  const proc = spawnProcess({
    name: 'strata',
    command: process.execPath,
    cwd: repoRoot,
    env: { NODE_ENV: 'production', ...env },
    args: [
      ...nodeArgs,
      path.join(repoRoot, 'server/bin/strata.js'),
      'start',
      ...['--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--workers', String(workers)],
      ...['--app-id', ctx.appId, '--master-key', ctx.masterKey, '--client-key', ctx.clientKey],
      ...['--rest-api-key', ctx.clientKey, '--log-level', 'warn'],
      ...args,
    ],
  });
  const origin = `http://127.0.0.1:${port}`;
  const baseUrl = `${origin}/parse`;
  await waitForHttp200(proc, `${baseUrl}/health`);
  return { proc, baseUrl, origin };
}
