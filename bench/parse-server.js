// Launches parse-server 9.10 behind express on one port, for the side-by-side benchmark in run.js.
// Not part of the product: it only exists so both servers are measured the same way (own process, same
// app id and keys, same mount path). Flags: --port --database-uri --app-id --master-key --client-key
// [--mount /parse] [--log-level warn] [--logs-folder DIR (parse-server's file logs; default ./logs)]
// [--cloud FILE (cloud code module)] [--live-classes A,B (LiveQuery for these classes, on the same port)]
// [--push-config FILE (JSON: parse-server's `push` option, for push-compare.js)].
import { readFileSync } from 'node:fs';
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
  },
});

for (const name of ['port', 'database-uri', 'app-id', 'master-key', 'client-key']) {
  if (!values[name]) {
    console.error(`parse-server.js: --${name} is required`);
    process.exit(2);
  }
}

const port = Number(values.port);
const mount = values.mount;
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
  ...(values['live-classes'] ? { liveQuery: { classNames: values['live-classes'].split(',') } } : {}),
  ...(values['push-config'] ? { push: JSON.parse(readFileSync(values['push-config'], 'utf8')) } : {}),
  verbose: false,
});

await server.start();
const app = express();
app.use(mount, server.app);
// Parse's GraphQL API at the root, as Strata serves it (the `graphql` bench scenario).
new ParseGraphQLServer(server, { graphQLPath: '/graphql' }).applyGraphQL(app);
const http = app.listen(port, '127.0.0.1');
// Parse's LiveQuery server in this process, on the same HTTP server (bench/live.js).
if (values['live-classes']) await ParseServer.createLiveQueryServer(http);

const stop = () => {
  http.close();
  server.handleShutdown?.().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
