import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { isDue, ruleCron, scheduleParams, scheduleRule } from './job-schedules.js';
import type { ScheduleRule } from './job-schedules.js';
import { until } from './jobs.test-util.js';

function rule(input: Parameters<typeof scheduleRule>[0]): ScheduleRule {
  const result = scheduleRule(input);
  assert.ok(typeof result !== 'string', String(result));
  return result;
}

describe('stored schedule rules (_JobSchedule)', () => {
  it('a daily schedule is due in its minute only, on its days, after startAfter', () => {
    const daily = rule({
      timeOfDay: '09:30:00.000Z',
      daysOfWeek: ['0', '1', '1', '1', '1', '1', '0'],
      startAfter: '2030-01-01T00:00:00.000Z',
    });
    assert.equal(ruleCron(daily), '30 9 * * *');
    assert.equal(isDue(daily, new Date('2030-01-07T09:30:20Z')), true, 'a Monday');
    assert.equal(isDue(daily, new Date('2030-01-07T09:31:00Z')), false, 'the next minute');
    assert.equal(isDue(daily, new Date('2030-01-06T09:30:00Z')), false, 'a Sunday');
    assert.equal(isDue(daily, new Date('2029-12-31T09:30:00Z')), false, 'before startAfter');
  });

  it('a repeating schedule ticks each minute and is due every N minutes from its time of day', () => {
    const repeating = rule({ timeOfDay: '10:05', repeatMinutes: 20 });
    assert.equal(ruleCron(repeating), '* * * * *');
    const due = ['10:05', '10:25', '10:45', '23:45'].map((t) => isDue(repeating, new Date(`2030-01-01T${t}:00Z`)));
    assert.deepEqual(due, [true, true, true, true]);
    const notDue = ['10:04', '10:06', '09:45', '00:05'].map((t) => isDue(repeating, new Date(`2030-01-01T${t}:00Z`)));
    assert.deepEqual(notDue, [false, false, false, false]);
  });

  it('refuses what cannot run, with a message', () => {
    assert.equal(scheduleRule({ timeOfDay: '25:00' }), 'timeOfDay must be HH:MM:SS (UTC).');
    assert.equal(scheduleRule({ daysOfWeek: [1, 1] }), 'daysOfWeek must have seven entries, Sunday first.');
    assert.equal(scheduleRule({ startAfter: 'soon' }), 'startAfter must be an ISO date.');
    assert.equal(scheduleRule({ repeatMinutes: -5 }), 'repeatMinutes must be a whole number of minutes.');
    assert.deepEqual(scheduleParams('{"a":1}'), { a: 1 });
    assert.deepEqual(scheduleParams(undefined), {});
    assert.equal(scheduleParams('[1]'), undefined);
    assert.equal(scheduleParams('{'), undefined);
  });
});

describe('/cloud_code/jobs', () => {
  let server: TestServer;
  let clock = new Date('2032-03-01T08:00:30Z');
  const runs: Array<Record<string, unknown>> = [];

  before(async () => {
    server = await startTestServer({
      now: () => clock,
      readOnlyMasterKey: 'read-only-key',
      cloudSetup: (registry) => {
        registry.defineJob({
          name: 'report',
          source: 'strata',
          handler: async (request) => {
            runs.push(request.params);
            return 'reported';
          },
        });
        registry.defineJob({ name: 'other', source: 'strata', handler: async () => undefined });
      },
    });
  });
  after(() => server.close());

  it('creates, lists, edits and deletes schedules; a stored schedule runs at its time', async () => {
    const created = await server.call({
      method: 'POST',
      path: '/cloud_code/jobs',
      master: true,
      body: {
        job_schedule: {
          jobName: 'report',
          description: 'morning report',
          params: '{"day":"monday"}',
          startAfter: '2032-01-01T00:00:00.000Z',
          timeOfDay: '08:05:00.000Z',
        },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { objectId } = created.body as { objectId: string };
    assert.match(objectId, /^[A-Za-z0-9]{10}$/);

    const list = await server.call({ path: '/cloud_code/jobs', master: true });
    assert.equal(list.status, 200);
    const rows = list.body as Array<Record<string, unknown>>;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.['jobName'], 'report');
    assert.equal(rows[0]?.['params'], '{"day":"monday"}');

    const data = await server.call({ path: '/cloud_code/jobs/data', master: true });
    assert.deepEqual(data.body, { in_use: ['report'], jobs: ['report', 'other'] });

    // The stored schedule runs when the clock reaches 08:05 UTC.
    clock = new Date('2032-03-01T08:05:00Z');
    await until('the stored schedule to run', () => runs.length === 1);
    assert.deepEqual(runs[0], { day: 'monday' });

    const edited = await server.call({
      method: 'PUT',
      path: `/cloud_code/jobs/${objectId}`,
      master: true,
      body: { job_schedule: { timeOfDay: '08:10:00.000Z', params: '{"day":"edited"}' } },
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.ok(typeof (edited.body as { updatedAt?: unknown }).updatedAt === 'string');
    clock = new Date('2032-03-01T08:10:00Z');
    await until('the edited schedule to run', () => runs.length === 2);
    assert.deepEqual(runs[1], { day: 'edited' });

    const deleted = await server.call({ method: 'DELETE', path: `/cloud_code/jobs/${objectId}`, master: true });
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.body, {});
    assert.deepEqual((await server.call({ path: '/cloud_code/jobs', master: true })).body, []);
  });

  it('refuses bad schedules and callers with Parse errors, and stores nothing', async () => {
    const cases: Array<{ name: string; call: Parameters<TestServer['call']>[0]; status: number; code?: number }> = [
      { name: 'no master key', call: { path: '/cloud_code/jobs' }, status: 403 },
      {
        name: 'read-only master key writing',
        call: {
          method: 'POST',
          path: '/cloud_code/jobs',
          headers: { 'X-Parse-Master-Key': 'read-only-key' },
          body: { job_schedule: { jobName: 'report' } },
        },
        status: 400,
        code: 119,
      },
      {
        name: 'a job that is not deployed',
        call: { method: 'POST', path: '/cloud_code/jobs', master: true, body: { job_schedule: { jobName: 'nope' } } },
        status: 400,
        code: 141,
      },
      {
        name: 'no job_schedule',
        call: { method: 'POST', path: '/cloud_code/jobs', master: true, body: { jobName: 'report' } },
        status: 400,
        code: 107,
      },
      {
        name: 'an unknown field',
        call: {
          method: 'POST',
          path: '/cloud_code/jobs',
          master: true,
          body: { job_schedule: { jobName: 'report', evil: true } },
        },
        status: 400,
        code: 105,
      },
      {
        name: 'a bad time of day',
        call: {
          method: 'POST',
          path: '/cloud_code/jobs',
          master: true,
          body: { job_schedule: { jobName: 'report', timeOfDay: 'noon' } },
        },
        status: 400,
        code: 142,
      },
      {
        name: 'params that are not JSON text of an object',
        call: {
          method: 'POST',
          path: '/cloud_code/jobs',
          master: true,
          body: { job_schedule: { jobName: 'report', params: { not: 'text' } } },
        },
        status: 400,
        code: 107,
      },
      {
        name: 'editing a schedule that does not exist',
        call: {
          method: 'PUT',
          path: '/cloud_code/jobs/doesNotExist',
          master: true,
          body: { job_schedule: { description: 'x' } },
        },
        status: 404,
        code: 101,
      },
    ];
    for (const c of cases) {
      const response = await server.call(c.call);
      assert.equal(response.status, c.status, `${c.name}: ${JSON.stringify(response.body)}`);
      if (c.code !== undefined) assert.equal((response.body as { code?: number }).code, c.code, c.name);
    }
    assert.deepEqual((await server.call({ path: '/cloud_code/jobs', master: true })).body, []);
  });
});
