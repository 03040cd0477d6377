/**
 * TEMPORARY placeholder written by the tooling engineer so `main.ts` and the CLI can run before the real
 * composition root lands. The lead replaces this file; only the exported signature is the agreed contract.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Config } from './config/index.js';
import type { Logger } from './infra/index.js';

export interface StrataApp {
  listen(): Promise<{ port: number; host: string }>;
  close(): Promise<void>;
}

export function createApp(options: { config: Config; logger: Logger }): Promise<StrataApp> {
  const { config } = options;
  const app = express();
  app.get(`${config.mountPath}/health`, (_req, res) => {
    res.json({ status: 'ok' });
  });
  let server: Server | undefined;
  return Promise.resolve({
    listen: () =>
      new Promise((resolve, reject) => {
        const s = app.listen(config.port, config.host, (err?: Error) => {
          if (err) return reject(err);
          const address = s.address() as AddressInfo;
          resolve({ port: address.port, host: config.host });
        });
        server = s;
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server) return resolve();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  });
}
