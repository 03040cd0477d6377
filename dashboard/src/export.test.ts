import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvField, csvHeader, csvRows } from './export.js';
import { MAX_SHOWN, foldReportLine, importFormat } from './import.js';
import type { ImportOutcome } from './import.js';

describe('export and import', () => {
  it('writes CSV with quoted cells (RFC 4180) and objects as their JSON', () => {
    const fields = ['objectId', 'name', 'tags'];
    const rows = [{ objectId: 'a', name: 'He said "hi", then\nleft', tags: ['x', 'y'] }];
    assert.equal(
      csvHeader(fields) + csvRows(rows, fields),
      'objectId,name,tags\r\na,"He said ""hi"", then\nleft","[""x"",""y""]"\r\n',
    );
    assert.equal(csvField(undefined), '');
    assert.equal(csvField(3), '3');
  });

  it('picks the import format from the file name', () => {
    assert.equal(importFormat('Game.CSV'), 'csv');
    assert.equal(importFormat('rows.jsonl'), 'jsonl');
    assert.equal(importFormat('rows.ndjson'), 'jsonl');
    assert.equal(importFormat('Game.json'), 'json');
  });

  it('folds the server report: counts, the first row errors, the fatal stop and the summary', () => {
    let outcome: ImportOutcome = {
      fileName: 'f.csv',
      counts: { rows: 0, created: 0, updated: 0, failed: 0 },
      failures: [],
      complete: false,
    };
    for (let row = 1; row <= MAX_SHOWN + 5; row++) {
      outcome = foldReportLine(outcome, { type: 'error', row, code: 111, error: 'wrong type' });
    }
    assert.equal(outcome.failures.length, MAX_SHOWN);
    assert.deepEqual(outcome.failures[0], { row: 1, code: 111, error: 'wrong type' });
    outcome = foldReportLine(outcome, { type: 'progress', rows: 1000, created: 700, updated: 95, failed: 205 });
    assert.equal(outcome.counts.created, 700);
    outcome = foldReportLine(outcome, { type: 'fatal', code: 107, error: 'broken quote' });
    outcome = foldReportLine(outcome, {
      type: 'summary',
      rows: 1010,
      created: 710,
      updated: 95,
      failed: 205,
      complete: false,
    });
    assert.deepEqual(outcome.counts, { rows: 1010, created: 710, updated: 95, failed: 205 });
    assert.deepEqual(outcome.fatal, { code: 107, error: 'broken quote' });
    assert.equal(outcome.complete, false);
  });
});
