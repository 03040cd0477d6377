import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, renderClassList, summarizeSchemas } from './render.js';

describe('dashboard rendering', () => {
  const body = {
    results: [
      {
        className: 'GameScore',
        fields: {
          objectId: { type: 'String' },
          player: { type: 'Pointer', targetClass: '_User' },
          score: { type: 'Number' },
        },
      },
      { className: '_User', fields: { username: { type: 'String' } } },
      { className: 'Article', fields: {} },
    ],
  };

  it('summarizes /schemas sorted by class name with readable types', () => {
    assert.deepEqual(summarizeSchemas(body), [
      { className: 'Article', fields: {} },
      { className: 'GameScore', fields: { objectId: 'String', player: 'Pointer<_User>', score: 'Number' } },
      { className: '_User', fields: { username: 'String' } },
    ]);
  });

  it('renders one escaped table row per class', () => {
    assert.equal(
      renderClassList(body),
      '<table><thead><tr><th>Class</th><th>Fields</th><th>Schema</th></tr></thead><tbody>' +
        '<tr><th scope="row">Article</th><td>0</td><td></td></tr>' +
        '<tr><th scope="row">GameScore</th><td>3</td><td><code>objectId</code>: String, <code>player</code>: Pointer&lt;_User&gt;, <code>score</code>: Number</td></tr>' +
        '<tr><th scope="row">_User</th><td>1</td><td><code>username</code>: String</td></tr>' +
        '</tbody></table>',
    );
  });

  it('escapes hostile names and handles empty or malformed answers', () => {
    assert.equal(
      escapeHtml(`<img src=x onerror="a('b')">&`),
      '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;',
    );
    assert.equal(renderClassList({ results: [] }), '<p class="empty">No classes yet.</p>');
    assert.equal(renderClassList({ error: 'unauthorized' }), '<p class="empty">No classes yet.</p>');
    assert.equal(renderClassList(null), '<p class="empty">No classes yet.</p>');
  });
});
