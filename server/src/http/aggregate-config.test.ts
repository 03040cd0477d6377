import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

const backends: Array<{ name: string; backend: 'sqlite' | 'mongodb'; skip: string | false }> = [
  { name: 'sqlite', backend: 'sqlite', skip: false },
  {
    name: 'mongodb',
    backend: 'mongodb',
    skip:
      process.env['STRATA_TEST_MONGODB_URI'] === undefined && process.env['STRATA_REQUIRE_SERVICES'] !== '1'
        ? 'STRATA_TEST_MONGODB_URI is not set'
        : false,
  },
];

type Json = Record<string, unknown>;

for (const target of backends) {
  if (target.skip !== false) console.log(`# skipping aggregate/config API tests on ${target.name}: ${target.skip}`);
  describe(`aggregate, distinct and config over HTTP [${target.name}]`, { skip: target.skip }, () => {
    let server: TestServer;
    const ids: Record<string, string> = {};
    const aggregate = async (query: Json, master = true) => {
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) search.set(k, typeof v === 'string' ? v : JSON.stringify(v));
      return server.call({ path: `/aggregate/Game?${search.toString()}`, master });
    };

    before(async () => {
      server = await startTestServer({ backend: target.backend });
      for (const name of ['ann', 'bob']) {
        const res = await server.call({ method: 'POST', path: '/classes/Player', body: { name }, master: true });
        ids[name] = (res.body as { objectId: string }).objectId;
      }
      const player = (name: string) => ({ __type: 'Pointer', className: 'Player', objectId: ids[name] });
      const rows = [
        {
          score: 10,
          team: 'red',
          player: player('ann'),
          tags: ['a', 'b'],
          when: { __type: 'Date', iso: '2024-01-01T00:00:00.000Z' },
        },
        {
          score: 20,
          team: 'red',
          player: player('bob'),
          tags: ['b'],
          when: { __type: 'Date', iso: '2024-02-01T00:00:00.000Z' },
        },
        {
          score: 5,
          team: 'blue',
          player: player('ann'),
          tags: [],
          when: { __type: 'Date', iso: '2024-03-01T00:00:00.000Z' },
        },
      ];
      for (const body of rows) {
        const res = await server.call({ method: 'POST', path: '/classes/Game', body, master: true });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
    });
    after(async () => server.close());

    it('groups by a field with $sum and sorts', async () => {
      const res = await aggregate({
        pipeline: [{ $group: { _id: '$team', total: { $sum: '$score' } } }, { $sort: { total: -1 } }],
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, {
        results: [
          { objectId: 'red', total: 30 },
          { objectId: 'blue', total: 5 },
        ],
      });
    });

    it('groups by a pointer: ids lose the class prefix', async () => {
      const res = await aggregate({
        pipeline: [{ $group: { _id: '$player', games: { $count: {} } } }, { $sort: { games: -1 } }],
      });
      assert.deepEqual(res.body, {
        results: [
          { objectId: ids['ann'], games: 2 },
          { objectId: ids['bob'], games: 1 },
        ],
      });
    });

    it('projects pointers and dates back to Parse names and REST JSON', async () => {
      const res = await aggregate({
        pipeline: [{ $match: { score: 20 } }, { $project: { player: 1, createdAt: 1, when: 1, _id: 0 } }],
      });
      const [row] = (res.body as { results: Json[] }).results;
      assert.deepEqual(row?.['player'], { __type: 'Pointer', className: 'Player', objectId: ids['bob'] });
      assert.deepEqual(row?.['when'], { __type: 'Date', iso: '2024-02-01T00:00:00.000Z' });
      assert.equal(typeof row?.['createdAt'], 'string');
      assert.deepEqual(Object.keys(row ?? {}).sort(), ['createdAt', 'player', 'when']);
    });

    it('matches a pointer by bare id and counts', async () => {
      const res = await aggregate({ pipeline: [{ $match: { player: ids['ann'] } }, { $count: 'n' }] });
      assert.deepEqual(res.body, { results: [{ n: 2 }] });
    });

    it('where becomes a leading $match', async () => {
      const res = await aggregate({ where: { team: 'blue' }, pipeline: [{ $project: { score: 1 } }] });
      const results = (res.body as { results: Json[] }).results;
      assert.deepEqual(
        results.map((r) => r['score']),
        [5],
      );
    });

    it('distinct values, with where, pointers as Pointer JSON', async () => {
      const teams = await aggregate({ distinct: 'team' });
      assert.deepEqual(((teams.body as { results: string[] }).results ?? []).slice().sort(), ['blue', 'red']);
      const players = await aggregate({ distinct: 'player', where: { team: 'red' } });
      const list = (players.body as { results: Json[] }).results.map((p) => p['objectId']).sort();
      assert.deepEqual(list, [ids['ann'], ids['bob']].sort());
      assert.deepEqual((players.body as { results: Json[] }).results[0]?.['__type'], 'Pointer');
      const tags = await aggregate({ distinct: 'tags' });
      assert.deepEqual(((tags.body as { results: string[] }).results ?? []).slice().sort(), ['a', 'b']);
    });

    it('refuses bad pipelines with 102 and exact messages', async () => {
      const cases: Array<[unknown, string]> = [
        [[{ group: { _id: null } }], "Invalid aggregate stage 'group'."],
        [[{ $group: { objectId: '$team' } }], "Cannot use 'objectId' in aggregation stage $group."],
        [[{ $group: { total: { $sum: 1 } } }], 'Invalid parameter for query: group. Missing key _id'],
        [[{ $match: {}, $sort: { a: 1 } }], 'Pipeline stages should only have one key but found $match, $sort.'],
      ];
      for (const [pipeline, error] of cases) {
        const res = await aggregate({ pipeline });
        assert.equal(res.status, 400);
        assert.deepEqual(res.body, { code: 102, error });
      }
    });

    it(
      'SQLite refuses what it cannot compile instead of answering wrongly',
      { skip: target.backend !== 'sqlite' ? 'SQLite only: on MongoDB these stages run natively' : false },
      async () => {
        const cases: Array<[unknown, string]> = [
          [
            [{ $lookup: { from: 'Player', localField: 'x', foreignField: '_id', as: 'p' } }],
            'Aggregate stage $lookup is not supported on SQLite',
          ],
          [[{ $project: { y: { $year: '$createdAt' } } }], 'Aggregate expression $year is not supported on SQLite'],
          [
            [{ $group: { _id: null, s: { $sum: { $multiply: ['$score', 2] } } } }],
            '$sum of a computed expression is not supported on SQLite',
          ],
        ];
        for (const [pipeline, error] of cases) {
          const res = await aggregate({ pipeline });
          assert.deepEqual(res.body, { code: 102, error });
        }
      },
    );

    it('needs the master key', async () => {
      const res = await aggregate({ pipeline: [{ $count: 'n' }] }, false);
      assert.equal(res.status, 403);
    });

    it('config: save with masterKeyOnly, read as master and as client, delete a key', async () => {
      const empty = await server.call({ path: '/config' });
      assert.deepEqual(empty.body, { params: {} });
      const put = await server.call({
        method: 'PUT',
        path: '/config',
        master: true,
        body: {
          params: {
            color: 'red',
            when: { __type: 'Date', iso: '2024-05-01T10:00:00.000Z' },
            secret: 42,
            where: { __type: 'GeoPoint', latitude: 1, longitude: 2 },
          },
          masterKeyOnly: { secret: true },
        },
      });
      assert.deepEqual(put.body, { result: true });
      const asClient = await server.call({ path: '/config' });
      assert.deepEqual(asClient.body, {
        params: {
          color: 'red',
          when: { __type: 'Date', iso: '2024-05-01T10:00:00.000Z' },
          where: { __type: 'GeoPoint', latitude: 1, longitude: 2 },
        },
        masterKeyOnly: { color: false, when: false, where: false },
      });
      const asMaster = await server.call({ path: '/config', master: true });
      assert.deepEqual((asMaster.body as Json)['masterKeyOnly'], {
        color: false,
        when: false,
        secret: true,
        where: false,
      });
      assert.equal(((asMaster.body as Json)['params'] as Json)['secret'], 42);
      await server.call({
        method: 'PUT',
        path: '/config',
        master: true,
        body: { params: { color: { __op: 'Delete' }, extra: [1] } },
      });
      const after = await server.call({ path: '/config', master: true });
      assert.deepEqual(Object.keys((after.body as { params: Json }).params).sort(), [
        'extra',
        'secret',
        'when',
        'where',
      ]);
      const denied = await server.call({ method: 'PUT', path: '/config', body: { params: { x: 1 } } });
      assert.equal(denied.status, 403);
    });
  });
}
