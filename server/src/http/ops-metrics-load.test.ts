import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createLogger, createMetrics } from '../infra/index.js';
import { OpsEndpoints } from './ops.js';

// The metrics registry (prom-client) loads on the first scrape (infra/metrics.ts): if that load fails, `/metrics`
// answers a clear 500, every time, and never leaves the scrape hanging.
describe('/metrics when the metrics registry cannot load', () => {
  it('answers 500 {"code":1} to each scrape, concurrent ones included', async () => {
    const metrics = createMetrics({ load: () => Promise.reject(new Error('Cannot find package prom-client')) });
    const ops = new OpsEndpoints({
      checks: {},
      draining: () => false,
      metrics: () => metrics.render(),
      metricsIps: ['127.0.0.1'],
    });
    const log = createLogger({ level: 'silent' });
    const server = createServer((req, res) => void ops.handle({ req, res, path: '/metrics', ip: '127.0.0.1', log }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
      const answers = await Promise.all([fetch(url), fetch(url), fetch(url)]);
      for (const answer of answers) {
        assert.equal(answer.status, 500);
        assert.deepEqual(await answer.json(), { code: 1, message: 'Internal server error.' });
      }
    } finally {
      metrics.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
