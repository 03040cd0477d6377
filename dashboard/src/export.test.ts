import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvField, csvHeader, csvRows, objectsFromCsv, objectsFromJson, parseCsv } from './export.js';

describe('export and import', () => {
  it('writes CSV that parses back to the same cells', () => {
    const fields = ['objectId', 'name', 'tags'];
    const rows = [{ objectId: 'a', name: 'He said "hi", then\nleft', tags: ['x', 'y'] }];
    const text = csvHeader(fields) + csvRows(rows, fields);
    assert.deepEqual(parseCsv(text), [fields, ['a', 'He said "hi", then\nleft', '["x","y"]']]);
    assert.equal(csvField(undefined), '');
    assert.equal(csvField(3), '3');
  });

  it('types imported CSV by the schema and drops server fields', () => {
    const objects = objectsFromCsv(
      [
        ['objectId', 'score', 'done', 'tags', 'name', 'at'],
        ['x', '4', 'true', '["a"]', 'n', '2025-01-01T00:00:00Z'],
        ['', '', '', '', '', ''],
      ],
      {
        score: { type: 'Number' },
        done: { type: 'Boolean' },
        tags: { type: 'Array' },
        name: { type: 'String' },
        at: { type: 'Date' },
      },
    );
    assert.deepEqual(objects, [
      { score: 4, done: true, tags: ['a'], name: 'n', at: { __type: 'Date', iso: '2025-01-01T00:00:00.000Z' } },
    ]);
  });

  it('reads JSON arrays, {results} and JSON lines', () => {
    assert.deepEqual(objectsFromJson('[{"objectId":"a","n":1}]'), [{ n: 1 }]);
    assert.deepEqual(objectsFromJson('{"results":[{"n":2}]}'), [{ n: 2 }]);
    assert.deepEqual(objectsFromJson('{"n":3}\n{"n":4}\n'), [{ n: 3 }, { n: 4 }]);
    assert.throws(() => objectsFromJson('[1]'), /must be an object/);
  });
});
