/**
 * The `strata` command: the only code that reads argv, the environment and files for configuration. It builds
 * one frozen `Config`, loads or generates the first-start keys, starts the app and turns SIGTERM/SIGINT into a
 * graceful shutdown. The app itself is imported lazily, after the configuration is known to be valid, so
 * `--help`, `--version` and configuration errors answer fast and cold start stays short. This file dispatches
 * the command line; each command and the start live in `main-*.ts`.
 */
import type { Config } from './config/index.js';
import { parseCommandLine, renderHelp } from './config/index.js';
import { ErrorCode, ParseError } from './errors/index.js';
import { buildConfig, loadConfigOptions, readVersion } from './main-config.js';
import type { KeysOutcome } from './main-config.js';
import { dashboardUserCommand } from './main-dashboard-user.js';
import { EXIT_CODES } from './main-failure.js';
import { initEnv } from './main-init-env.js';
import { DEV_CHILD_ENV, devHandoff, start, superviseDevServer } from './main-start.js';
import type { DevHandoff } from './main-start.js';
import { writeTypes } from './main-types.js';
import { WORKER_SLOT_ENV, clusterWorker, startPrimary, workerCount } from './main-workers.js';

async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  let built: { config: Config; keys?: KeysOutcome };
  let dev: DevHandoff | undefined;
  if (argv[0] === 'dashboard-user') {
    try {
      await dashboardUserCommand(argv.slice(1), env);
    } catch (err) {
      process.stderr.write(`strata dashboard-user: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    }
    return;
  }
  if (argv[0] === 'init-env') {
    if (argv.includes('--help') || argv.includes('-h'))
      return void process.stdout.write(renderHelp({ version: readVersion() }));
    try {
      initEnv(argv.slice(1));
    } catch (err) {
      process.stderr.write(`strata init-env: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    }
    return;
  }
  if (argv[0] === 'types') {
    if (argv.includes('--help') || argv.includes('-h'))
      return void process.stdout.write(renderHelp({ version: readVersion() }));
    try {
      await writeTypes(argv.slice(1), env);
    } catch (err) {
      process.stderr.write(`strata types: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof ParseError && err.code === ErrorCode.CONNECTION_FAILED ? 1 : 2);
    }
    return;
  }
  try {
    const cli = parseCommandLine(argv);
    if (cli.command === 'help') return void process.stdout.write(renderHelp({ version: readVersion() }));
    if (cli.command === 'version') return void process.stdout.write(`${readVersion()}\n`);
    const options = loadConfigOptions(cli, env);
    if (options.dev === true && env[DEV_CHILD_ENV] !== '1') {
      return await superviseDevServer({ argv, env, ...(options.cloud === undefined ? {} : { cloud: options.cloud }) });
    }
    built = buildConfig(options);
    dev = await devHandoff(env);
    if (env[WORKER_SLOT_ENV] === undefined) {
      const workers = workerCount({ options, env });
      if (workers > 1) return await startPrimary({ ...built, workers, env });
    }
  } catch (err) {
    // Configuration mistakes get one clear line and exit code 2, not a stack trace.
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`strata: ${message}\n`);
    process.exit(EXIT_CODES.configuration);
  }
  const worker = await clusterWorker(env);
  await start({ ...built, ...(dev === undefined ? {} : { dev }), ...(worker === undefined ? {} : { worker }) });
}

await run(process.argv.slice(2), process.env);
