/** The extension → content type table shared by the stores and the files route. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contentTypeForExtension, contentTypeForName, extensionForContentType, extensionOf } from './index.js';

describe('content types by extension', () => {
  it('derives a type from the last extension of the base name, ignoring case', () => {
    assert.equal(contentTypeForName('photo.JPG'), 'image/jpeg');
    assert.equal(contentTypeForName('dir.d/notes.tar.gz'), 'application/gzip');
    assert.equal(contentTypeForName('page.shtml'), 'text/html');
    assert.equal(contentTypeForName('.hidden'), undefined);
    assert.equal(contentTypeForName('trailing.'), undefined);
    assert.equal(contentTypeForName('dir.d/noext'), undefined);
    assert.equal(contentTypeForName('x.unknown'), undefined);
  });

  it('never finds Object.prototype members as types', () => {
    for (const name of ['a.constructor', 'a.__proto__', 'a.toString', 'a.hasOwnProperty']) {
      assert.equal(contentTypeForName(name), undefined, name);
      assert.equal(contentTypeForExtension(extensionOf(name)), undefined, name);
    }
  });

  it('maps a content type back to its first extension, ignoring parameters and case', () => {
    assert.equal(extensionForContentType('Image/JPEG; q=1'), 'jpg');
    assert.equal(extensionForContentType('text/html'), 'html');
    assert.equal(extensionForContentType('application/x-unknown'), undefined);
  });
});
