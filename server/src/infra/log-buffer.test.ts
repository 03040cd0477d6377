import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from './logger.js';
import { LogBuffer } from './log-buffer.js';

describe('LogBuffer', () => {
  it('keeps what the logger writes, filtered by level, time and request id, newest first', () => {
    const buffer = new LogBuffer(3);
    const sink = { write: () => undefined };
    const logger = createLogger({ level: 'debug', destination: sink, buffer });
    logger.debug('a debug line');
    logger.child({ reqId: 'r1' }).info({ status: 200 }, 'request');
    logger.warn('careful');
    logger.error({ code: 1 }, 'broken');
    // Capacity 3: the debug line fell off.
    assert.deepEqual(
      buffer.query({ level: 'debug' }).map((e) => e.message),
      ['broken', 'careful', 'request'],
    );
    assert.deepEqual(
      buffer.query({ level: 'error' }).map((e) => [e.level, e.message, e['code']]),
      [['error', 'broken', 1]],
    );
    const [request] = buffer.query({ requestId: 'r1' });
    assert.equal(request?.['status'], 200);
    assert.deepEqual(
      buffer.query({ order: 'asc', size: 2 }).map((e) => e.message),
      ['careful', 'broken'],
    );
    assert.deepEqual(buffer.query({ until: new Date(0) }), []);
  });

  it("filters by a job run's id: the lines its request.log wrote", () => {
    const buffer = new LogBuffer();
    const logger = createLogger({ level: 'info', destination: { write: () => undefined }, buffer });
    logger.child({ jobId: 'j1', jobName: 'import' }).info('first run');
    logger.child({ jobId: 'j2', jobName: 'import' }).info('second run');
    logger.info('not a job');
    assert.deepEqual(
      buffer.query({ jobId: 'j1' }).map((e) => e.message),
      ['first run'],
    );
  });

  it('ignores lines that are not JSON', () => {
    const buffer = new LogBuffer();
    buffer.write('not json');
    assert.deepEqual(buffer.query(), []);
  });
});
