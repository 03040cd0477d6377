import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, { types: string; default: string }>;
};

describe('@strata/server package exports', () => {
  it('every export is built from a source file that exists (dist/x.js ← src/x.ts)', () => {
    for (const [name, target] of Object.entries(packageJson.exports)) {
      const match = /^\.\/dist\/(.+)\.js$/.exec(target.default);
      assert.ok(match, `${name}: ${target.default}`);
      assert.equal(target.types, `./dist/${match[1]}.d.ts`, name);
      const source = fileURLToPath(new URL(`./${match[1]}.ts`, import.meta.url));
      assert.ok(existsSync(source), `${name} → ${source}`);
    }
  });

  it('"." is the library entry: createApp and the configuration helpers', async () => {
    const entry = (await import('./index.js')) as Record<string, unknown>;
    for (const name of ['createApp', 'resolveOptions', 'createLogger', 'ParseError']) {
      assert.equal(typeof entry[name], 'function', name);
    }
    assert.ok(Array.isArray(entry['OPTIONS']));
  });
});
