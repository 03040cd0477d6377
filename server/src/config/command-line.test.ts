import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../errors/index.js';
import { parseCommandLine } from './command-line.js';

function errorMessage(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (err) {
    assert.ok(err instanceof ParseError);
    return err.message;
  }
  assert.fail('expected a ParseError');
}

describe('parseCommandLine', () => {
  it('defaults to start and collects flag values in both spellings', () => {
    const cli = parseCommandLine(['--port', '80', '--host=::', '--config', 'a.json']);
    assert.equal(cli.command, 'start');
    assert.equal(cli.configPath, 'a.json');
    assert.deepEqual(
      [...cli.flags],
      [
        ['port', '80'],
        ['host', '::'],
      ],
    );
  });

  it('recognizes start, help, --help and --version', () => {
    assert.equal(parseCommandLine(['start', '--port', '1']).command, 'start');
    assert.equal(parseCommandLine(['help']).command, 'help');
    assert.equal(parseCommandLine(['start', '--help']).command, 'help');
    assert.equal(parseCommandLine(['--version']).command, 'version');
  });

  it('reads switches as true, --no-x and --x=false as false', () => {
    assert.equal(parseCommandLine(['--allow-client-class-creation']).flags.get('allowClientClassCreation'), 'true');
    assert.equal(parseCommandLine(['--no-allow-client-class-creation']).flags.get('allowClientClassCreation'), 'false');
    assert.equal(
      parseCommandLine(['--allow-client-class-creation=false']).flags.get('allowClientClassCreation'),
      'false',
    );
  });

  it('lets the last occurrence win', () => {
    assert.equal(parseCommandLine(['--port', '1', '--port', '2']).flags.get('port'), '2');
  });

  it('rejects unknown flags with a suggestion, missing values and stray arguments', () => {
    assert.equal(errorMessage(['--prot', '1']), 'unknown option --prot (did you mean --port?)');
    assert.equal(errorMessage(['--frobnicate']), 'unknown option --frobnicate; run `strata --help` for the list');
    assert.equal(errorMessage(['--port']), '--port: expected a value');
    assert.equal(errorMessage(['--port', '--host', 'x']), '--port: expected a value');
    assert.equal(
      errorMessage(['serve']),
      'unexpected argument "serve"; usage: strata [start] [options], strata --help',
    );
    assert.equal(
      errorMessage(['start', 'start']),
      'unexpected argument "start"; usage: strata [start] [options], strata --help',
    );
  });
});
