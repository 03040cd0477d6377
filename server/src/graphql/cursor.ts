/** Relay array-connection cursors (spec/graphql.md §4): base64 of `arrayconnection:<offset>`. */
const PREFIX = 'arrayconnection:';

export function offsetToCursor(offset: number): string {
  return Buffer.from(`${PREFIX}${offset}`, 'utf8').toString('base64');
}

/** The offset a cursor stands for; undefined when it is not a cursor this server wrote. */
export function cursorToOffset(cursor: string): number | undefined {
  if (cursor.length > 100) return undefined;
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  if (!text.startsWith(PREFIX)) return undefined;
  const digits = text.slice(PREFIX.length);
  if (!/^\d{1,9}$/.test(digits)) return undefined;
  return Number(digits);
}
