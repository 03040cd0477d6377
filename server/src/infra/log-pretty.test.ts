import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from './logger.js';
import { formatPrettyLine } from './log-pretty.js';

const TIME = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();

describe('pretty log lines', () => {
  it('an access-log line reads METHOD path status duration, then its other fields', () => {
    const json = JSON.stringify({
      level: 30,
      time: TIME,
      pid: 1,
      hostname: 'h',
      reqId: 'abc',
      method: 'GET',
      path: '/parse/classes/A?where',
      status: 404,
      ms: 1.5,
      code: 101,
      msg: 'request',
    });
    assert.equal(
      formatPrettyLine(json, false),
      '03:04:05.006 INFO  GET /parse/classes/A?where 404 1.5ms  reqId=abc code=101\n',
    );
  });

  it('other lines: message, then key=value (quoted when not a plain word)', () => {
    const json = JSON.stringify({ level: 40, time: TIME, msg: 'careful', port: 1337, note: 'two words', ok: true });
    assert.equal(formatPrettyLine(json, false), '03:04:05.006 WARN  careful  port=1337 note="two words" ok=true\n');
  });

  it('an error shows its message on the line and its stack below, indented', () => {
    const json = JSON.stringify({
      level: 50,
      time: TIME,
      msg: 'internal error',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.js:1:2)' },
    });
    assert.equal(formatPrettyLine(json, false), '03:04:05.006 ERROR internal error  err=boom\n    at f (a.js:1:2)\n');
  });

  it('control characters a client sent cannot forge a line or move the cursor', () => {
    const json = JSON.stringify({
      level: 30,
      time: TIME,
      msg: 'request',
      method: 'GET',
      path: '/a\n03:00 FAKE\u001b[2J',
      status: 200,
      ms: 1,
    });
    const line = formatPrettyLine(json, false);
    assert.equal(line.split('\n').length, 2, line);
    assert.equal(line.includes('\u001b'), false);
  });

  it('colours only the level, and only when asked', () => {
    const json = JSON.stringify({ level: 30, time: TIME, msg: 'hi' });
    assert.equal(formatPrettyLine(json, true), '03:04:05.006 \u001b[32mINFO \u001b[0m hi\n');
  });

  it('a line that is not JSON passes through', () => {
    assert.equal(formatPrettyLine('plain', false), 'plain\n');
  });

  it('createLogger({format: pretty}) writes pretty lines, redacting secrets', () => {
    let out = '';
    const logger = createLogger({ level: 'info', format: 'pretty', destination: { write: (s: string) => (out += s) } });
    logger.info({ masterKey: 'sekrit' }, 'hello');
    assert.match(out, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}hello {2}masterKey="\[Redacted\]"\n$/);
  });
});
