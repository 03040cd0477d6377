import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryQueue, nextFire } from './queue-memory.js';
import { retryDelay } from './queue.js';
import type { QueuedJob } from './queue.js';

/** Polls `check` until it holds (20 s deadline on a shared, noisy machine); fails with `what`. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('retryDelay', () => {
  it('doubles from the backoff with each failed attempt', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((attempt) => retryDelay({ attempt, backoffMs: 100 })),
      [100, 200, 400, 800],
    );
    assert.equal(retryDelay({ attempt: 1 }), 1000);
  });
});

describe('in-process queue', () => {
  it('runs each enqueued job once, and a repeat of a waiting id is a no-op', async () => {
    const queue = createMemoryQueue<{ n: number }>();
    const seen: string[] = [];
    await queue.enqueue({ id: 'a', data: { n: 1 } });
    await queue.enqueue({ id: 'a', data: { n: 2 } });
    await queue.enqueue({ id: 'b', data: { n: 3 } });
    await queue.process({
      processor: (job) => {
        seen.push(`${job.id}:${job.data.n}:${job.attempt}/${job.attempts}`);
        return Promise.resolve();
      },
      concurrency: 2,
    });
    await until('both jobs', () => seen.length === 2);
    assert.deepEqual(seen.sort(), ['a:1:1/1', 'b:3:1/1']);
    await queue.close();
  });

  it('holds a delayed job back until its delay has passed, counted as delayed meanwhile', async () => {
    const queue = createMemoryQueue<object>();
    const ran: number[] = [];
    await queue.process({ processor: () => Promise.resolve(void ran.push(Date.now())), concurrency: 1 });
    const enqueuedAt = Date.now();
    await queue.enqueue({ id: 'later', data: {}, delayMs: 150 });
    assert.equal((await queue.counts()).delayed, 1);
    assert.equal(ran.length, 0);
    await until('the delayed job', () => ran.length === 1);
    assert.ok((ran[0] as number) - enqueuedAt >= 140, 'not before its delay');
    await queue.close();
  });

  it('runs nothing until a consumer starts, then the jobs that waited', async () => {
    const queue = createMemoryQueue<object>();
    const ran: string[] = [];
    await queue.enqueue({ id: 'x', data: {} });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(ran.length, 0);
    await queue.process({
      processor: (job) => {
        ran.push(job.id);
        return Promise.resolve();
      },
      concurrency: 1,
    });
    await until('the waiting job', () => ran.length === 1);
    await queue.close();
  });

  it('keeps at most `concurrency` jobs running', async () => {
    const queue = createMemoryQueue<object>();
    let running = 0;
    let peak = 0;
    let done = 0;
    const release: Array<() => void> = [];
    await queue.process({
      processor: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => release.push(r));
        running--;
        done++;
      },
      concurrency: 2,
    });
    for (const id of ['1', '2', '3', '4', '5']) await queue.enqueue({ id, data: {} });
    while (done < 5) {
      await until('a running job', () => release.length > 0);
      assert.ok(running <= 2);
      (release.shift() as () => void)();
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(peak, 2);
    await queue.close();
  });

  it('retries a failing job with the attempts and backoff it was enqueued with, then gives up', async () => {
    const queue = createMemoryQueue<object>();
    const attempts: Array<Pick<QueuedJob<object>, 'attempt' | 'attempts'>> = [];
    await queue.process({
      processor: (job) => {
        attempts.push({ attempt: job.attempt, attempts: job.attempts });
        return Promise.reject(new Error('nope'));
      },
      concurrency: 1,
    });
    await queue.enqueue({ id: 'r', data: {}, attempts: 3, backoffMs: 5 });
    await until('three attempts', () => attempts.length === 3);
    // After the last attempt the id is free again: a new enqueue runs it anew.
    await until('the id to be released', () => {
      void queue.enqueue({ id: 'r', data: {}, attempts: 1 });
      return attempts.length === 4;
    });
    assert.deepEqual(attempts, [
      { attempt: 1, attempts: 3 },
      { attempt: 2, attempts: 3 },
      { attempt: 3, attempts: 3 },
      { attempt: 1, attempts: 1 },
    ]);
    await queue.close();
  });

  it('stops retrying once a retry succeeds', async () => {
    const queue = createMemoryQueue<object>();
    let calls = 0;
    let succeeded = false;
    await queue.process({
      processor: () => {
        calls++;
        if (calls < 2) return Promise.reject(new Error('flaky'));
        succeeded = true;
        return Promise.resolve();
      },
      concurrency: 1,
    });
    await queue.enqueue({ id: 's', data: {}, attempts: 5, backoffMs: 5 });
    await until('the retry to succeed', () => succeeded);
    assert.equal(calls, 2);
    await queue.close();
  });

  it('fires cron schedules from the injected clock, once per fire time, and drops removed schedules', async () => {
    let clock = new Date('2030-01-01T00:00:30Z');
    const queue = createMemoryQueue<{ job: string }>({ now: () => clock, tickMs: 5 });
    const runs: string[] = [];
    await queue.process({
      processor: (job) => {
        runs.push(`${job.data.job}|${job.id}`);
        return Promise.resolve();
      },
      concurrency: 1,
    });
    await queue.setSchedules([
      { key: 'minutely', cron: '* * * * *', data: { job: 'minutely' } },
      { key: 'hourly', cron: '0 * * * *', data: { job: 'hourly' } },
    ]);
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(runs, [], 'nothing is due before the first fire time');

    clock = new Date('2030-01-01T00:01:00Z');
    await until('the first minutely run', () => runs.length === 1);
    assert.deepEqual(runs, ['minutely|minutely@2030-01-01T00:01:00.000Z']);

    // A jump over many fire times runs once, not once per missed minute.
    clock = new Date('2030-01-01T00:59:10Z');
    await until('the second minutely run', () => runs.length === 2);
    assert.equal(runs[1], 'minutely|minutely@2030-01-01T00:02:00.000Z');

    await queue.setSchedules([{ key: 'hourly', cron: '0 * * * *', data: { job: 'hourly' } }]);
    clock = new Date('2030-01-01T01:00:00Z');
    await until('the hourly run', () => runs.length === 3);
    assert.equal(runs[2], 'hourly|hourly@2030-01-01T01:00:00.000Z');
    clock = new Date('2030-01-01T01:05:00Z');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(runs.length, 3, 'the removed minutely schedule no longer fires');
    await queue.close();
  });

  it('reads cron expressions in UTC, with or without seconds', async () => {
    const after = new Date('2030-01-01T10:00:00Z');
    assert.equal((await nextFire('30 10 * * *', after)).toISOString(), '2030-01-01T10:30:00.000Z');
    assert.equal((await nextFire('*/15 * * * * *', after)).toISOString(), '2030-01-01T10:00:15.000Z');
    await assert.rejects(nextFire('not a cron', after));
  });
});
