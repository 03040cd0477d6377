/**
 * The typed API's values: REST JSON with dates as `Date` (and an object's top-level `createdAt` /
 * `updatedAt` too); pointers, files, geo points, bytes and relations stay their `{"__type": …}` JSON. The two
 * functions convert between that and the hook protocol's REST JSON, recursively.
 */

/** `{"__type":"Date","iso":…}` and top-level timestamps → `Date`; everything else copied as is. */
export function toFriendly(value: unknown, options: { topLevel?: boolean } = {}): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => toFriendly(item));
  // A multipart upload's file data (rest.md §11) stays a Buffer.
  if (value instanceof Uint8Array) return value;
  const record = value as Record<string, unknown>;
  if (record['__type'] === 'Date' && typeof record['iso'] === 'string') return new Date(record['iso']);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const field = record[key];
    const isTimestamp = (options.topLevel === true || record['__type'] === 'Object') && typeof field === 'string';
    out[key] = isTimestamp && (key === 'createdAt' || key === 'updatedAt') ? new Date(field) : toFriendly(field);
  }
  return out;
}

/** `Date` → Date JSON (top-level timestamps → ISO strings); everything else copied as is. */
export function fromFriendly(value: unknown, options: { topLevel?: boolean } = {}): unknown {
  if (value instanceof Date) return { __type: 'Date', iso: value.toISOString() };
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => fromFriendly(item));
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const field = record[key];
    if (field === undefined) continue;
    const isTimestamp = (options.topLevel === true || record['__type'] === 'Object') && field instanceof Date;
    out[key] = isTimestamp && (key === 'createdAt' || key === 'updatedAt') ? field.toISOString() : fromFriendly(field);
  }
  return out;
}
