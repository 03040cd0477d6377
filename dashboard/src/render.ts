/**
 * Pure rendering of the `/schemas` answer into HTML. No DOM access, so it runs (and is tested) in Node.
 */
export interface ClassSummary {
  readonly className: string;
  /** Field name → Parse type (`String`, `Pointer<_User>`, ...). */
  readonly fields: Readonly<Record<string, string>>;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

function typeName(field: unknown): string {
  const record = typeof field === 'object' && field !== null ? (field as Record<string, unknown>) : {};
  const type = typeof record['type'] === 'string' ? record['type'] : 'Unknown';
  return typeof record['targetClass'] === 'string' ? `${type}<${record['targetClass']}>` : type;
}

/** Extracts class summaries from a `GET /schemas` body (`{"results":[{className, fields}]}`), sorted by name. */
export function summarizeSchemas(body: unknown): ClassSummary[] {
  const results = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['results'] : undefined;
  if (!Array.isArray(results)) return [];
  const summaries: ClassSummary[] = [];
  for (const entry of results as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { className, fields } = entry as Record<string, unknown>;
    if (typeof className !== 'string') continue;
    const fieldRecord = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : {};
    summaries.push({
      className,
      fields: Object.fromEntries(Object.entries(fieldRecord).map(([name, field]) => [name, typeName(field)])),
    });
  }
  // Code-point order, not locale order: stable across browsers, and system classes (_User) sort last.
  return summaries.sort((a, b) => (a.className < b.className ? -1 : a.className > b.className ? 1 : 0));
}

/**
 * The class list as an HTML table: one row per class with its field count and `name: Type` list.
 *
 * @example
 * element.innerHTML = renderClassList(await response.json());
 */
export function renderClassList(body: unknown): string {
  const classes = summarizeSchemas(body);
  if (classes.length === 0) return '<p class="empty">No classes yet.</p>';
  const rows = classes.map((c) => {
    const fields = Object.entries(c.fields)
      .map(([name, type]) => `<code>${escapeHtml(name)}</code>: ${escapeHtml(type)}`)
      .join(', ');
    return `<tr><th scope="row">${escapeHtml(c.className)}</th><td>${Object.keys(c.fields).length}</td><td>${fields}</td></tr>`;
  });
  return `<table><thead><tr><th>Class</th><th>Fields</th><th>Schema</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
