// Launches parse-server 9.10 behind express on one port, for the side-by-side benchmark in run.js.
// Not part of the product: it only exists so both servers are measured the same way (own process, same
// app id and keys, same mount path). Flags: --port --database-uri --app-id --master-key --client-key
// [--mount /parse] [--log-level warn] [--logs-folder DIR (parse-server's file logs; default ./logs)]
// [--cloud FILE (cloud code module)] [--live-classes A,B (LiveQuery for these classes, on the same port)]
// [--push-config FILE (JSON: parse-server's `push` option, for push-compare.js)]
// [--redis-url URL (LiveQuery over Redis pub/sub: this process publishes its writes and serves no sockets)]
// [--live-only --server-url URL (only a LiveQuery server on --port, fed over --redis-url by the api process at URL;
//  parse-server 9's LiveQuery reads its app's config (requestComplexity) in-process, so this process also builds
//  the app on --database-uri without serving its REST API)].
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import express from 'express';
import { ParseGraphQLServer, ParseServer } from 'parse-server';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'database-uri': { type: 'string' },
    'app-id': { type: 'string' },
    'master-key': { type: 'string' },
    'client-key': { type: 'string' },
    mount: { type: 'string', default: '/parse' },
    'log-level': { type: 'string', default: 'warn' },
    'logs-folder': { type: 'string' },
    cloud: { type: 'string' },
    'live-classes': { type: 'string' },
    'push-config': { type: 'string' },
    'redis-url': { type: 'string' },
    'live-only': { type: 'boolean', default: false },
    'server-url': { type: 'string' },
  },
});

const required = ['port', 'database-uri', 'app-id', 'master-key', 'client-key'];
for (const name of [...required, ...(values['live-only'] ? ['redis-url', 'server-url'] : [])]) {
  if (!values[name]) {
    console.error(`parse-server.js: --${name} is required`);
    process.exit(2);
  }
}

const port = Number(values.port);
const mount = values.mount;
const redisURL = values['redis-url'];

if (values['live-only']) {
  // parse-server's LiveQuery server on its own, as a scaled-out deployment runs it: writes reach it over Redis.
  const http = createServer((req, res) => {
    res.writeHead(req.url === `${mount}/health` ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  const appOptions = {
    databaseURI: values['database-uri'],
    appId: values['app-id'],
    masterKey: values['master-key'],
    clientKey: values['client-key'],
    restAPIKey: values['client-key'],
    serverURL: values['server-url'],
    logLevel: values['log-level'],
    ...(values['logs-folder'] ? { logsFolder: values['logs-folder'] } : {}),
    verbose: false,
  };
  await new ParseServer(appOptions).start();
  // As parse-server starts its own (`startLiveQueryServer`): the LiveQuery options, then the app's.
  await ParseServer.createLiveQueryServer(
    http,
    {
      appId: values['app-id'],
      masterKey: values['master-key'],
      serverURL: values['server-url'],
      redisURL,
      logLevel: values['log-level'],
    },
    appOptions,
  );
  // Listening (and so healthy) only once the LiveQuery server is ready.
  await new Promise((resolve) => http.listen(port, '127.0.0.1', resolve));
  const stopLive = () => {
    http.close();
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.on('SIGTERM', stopLive);
  process.on('SIGINT', stopLive);
} else {
  const server = new ParseServer({
    databaseURI: values['database-uri'],
    appId: values['app-id'],
    masterKey: values['master-key'],
    clientKey: values['client-key'],
    restAPIKey: values['client-key'],
    serverURL: `http://127.0.0.1:${port}${mount}`,
    allowClientClassCreation: true,
    logLevel: values['log-level'],
    ...(values['logs-folder'] ? { logsFolder: values['logs-folder'] } : {}),
    ...(values.cloud ? { cloud: values.cloud } : {}),
    ...(values['live-classes']
      ? { liveQuery: { classNames: values['live-classes'].split(','), ...(redisURL ? { redisURL } : {}) } }
      : {}),
    ...(values['push-config'] ? { push: JSON.parse(readFileSync(values['push-config'], 'utf8')) } : {}),
    verbose: false,
  });

  await server.start();
  const app = express();
  app.use(mount, server.app);
  // Parse's GraphQL API at the root, as Strata serves it (the `graphql` bench scenario).
  new ParseGraphQLServer(server, { graphQLPath: '/graphql' }).applyGraphQL(app);
  const http = app.listen(port, '127.0.0.1');
  // Parse's LiveQuery server in this process, on the same HTTP server (bench/live.js), unless it runs apart.
  if (values['live-classes'] && !redisURL) await ParseServer.createLiveQueryServer(http);

  const stop = () => {
    http.close();
    server.handleShutdown?.().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
