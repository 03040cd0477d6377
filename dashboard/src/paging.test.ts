import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pageQuery } from './paging.js';

describe('data browser paging', () => {
  it('pages by objectId after the last row, never skipping', () => {
    assert.deepEqual(pageQuery({ filter: {}, sort: undefined, last: undefined, loaded: 0, pageSize: 100 }), {
      where: {},
      order: 'objectId',
      limit: 100,
    });
    assert.deepEqual(pageQuery({ filter: {}, sort: undefined, last: { objectId: 'k' }, loaded: 100, pageSize: 100 }), {
      where: { objectId: { $gt: 'k' } },
      order: 'objectId',
      limit: 100,
    });
  });

  it('keeps the filter and pages a descending date sort by (createdAt, objectId)', () => {
    const q = pageQuery({
      filter: { score: { $gt: 3 } },
      sort: { field: 'createdAt', desc: true },
      last: { objectId: 'k', createdAt: '2025-01-01T00:00:00.000Z' },
      loaded: 100,
      pageSize: 50,
    });
    const date = { __type: 'Date', iso: '2025-01-01T00:00:00.000Z' };
    assert.deepEqual(q, {
      where: {
        $and: [
          { score: { $gt: 3 } },
          { $or: [{ createdAt: { $lt: date } }, { createdAt: date, objectId: { $lt: 'k' } }] },
        ],
      },
      order: '-createdAt,-objectId',
      limit: 50,
    });
  });

  it('falls back to skip for other sort fields', () => {
    assert.deepEqual(
      pageQuery({
        filter: {},
        sort: { field: 'score', desc: false },
        last: { objectId: 'k' },
        loaded: 200,
        pageSize: 100,
      }),
      {
        where: {},
        order: 'score,objectId',
        limit: 100,
        skip: 200,
      },
    );
  });
});
