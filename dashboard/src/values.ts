/**
 * Parse REST values (`__type` encodings, spec types.md §2) as short display text for grid cells, and back
 * from what an editor typed. Pure functions: tested in Node.
 */
export type FieldType =
  | 'String'
  | 'Number'
  | 'Boolean'
  | 'Date'
  | 'Object'
  | 'Array'
  | 'GeoPoint'
  | 'File'
  | 'Bytes'
  | 'Polygon'
  | 'Pointer'
  | 'Relation'
  | 'ACL';

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** One line of text for a value of the given type. */
export function formatValue(value: unknown, type: FieldType | undefined): string {
  if (value === undefined || value === null) return '';
  if (type === 'Date' || (isRecord(value) && value['__type'] === 'Date')) {
    const iso = typeof value === 'string' ? value : isRecord(value) ? value['iso'] : undefined;
    return typeof iso === 'string' ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '';
  }
  if (isRecord(value)) {
    switch (value['__type']) {
      case 'Pointer':
        return `${String(value['className'])} ${String(value['objectId'])}`;
      case 'Relation':
        return `View relation (${String(value['className'])})`;
      case 'File':
        return String(value['name'] ?? '');
      case 'GeoPoint':
        return `(${String(value['latitude'])}, ${String(value['longitude'])})`;
      case 'Polygon':
        return `Polygon, ${Array.isArray(value['coordinates']) ? value['coordinates'].length : 0} points`;
      case 'Bytes':
        return `Bytes (${String(value['base64'] ?? '').length} base64 chars)`;
      default:
        break;
    }
    if (type === 'ACL') return formatACL(value);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/** `Public read, alice rw, role:Admin w` style summary of an ACL. */
export function formatACL(acl: Json): string {
  const parts = Object.entries(acl).map(([who, access]) => {
    const a = isRecord(access) ? access : {};
    const mode = `${a['read'] === true ? 'r' : ''}${a['write'] === true ? 'w' : ''}` || '-';
    return `${who === '*' ? 'Public' : who} ${mode}`;
  });
  return parts.length === 0 ? 'Master key only' : parts.join(', ');
}

/** A JSON text for Object/Array editors, or an error message. */
export function parseJsonField(
  text: string,
  type: 'Object' | 'Array',
): { ok: true; value: unknown } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (type === 'Array' && !Array.isArray(value)) return { ok: false, error: 'Expected a JSON array: [ ... ]' };
  if (type === 'Object' && !isRecord(value)) return { ok: false, error: 'Expected a JSON object: { ... }' };
  return { ok: true, value };
}

/** Number editor input: a finite number, or an error. */
export function parseNumberField(text: string): { ok: true; value: number } | { ok: false; error: string } {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value)) return { ok: false, error: 'Expected a number' };
  return { ok: true, value };
}

/** A GeoPoint from latitude/longitude text, range-checked as Parse does. */
export function parseGeoPoint(
  latitude: string,
  longitude: string,
): { ok: true; value: Json } | { ok: false; error: string } {
  const lat = Number(latitude);
  const lng = Number(longitude);
  if (latitude.trim() === '' || !Number.isFinite(lat) || lat < -90 || lat > 90)
    return { ok: false, error: 'Latitude must be between -90 and 90' };
  if (longitude.trim() === '' || !Number.isFinite(lng) || lng < -180 || lng > 180) {
    return { ok: false, error: 'Longitude must be between -180 and 180' };
  }
  return { ok: true, value: { __type: 'GeoPoint', latitude: lat, longitude: lng } };
}

/** A Polygon from `[[lat, lng], ...]` JSON: at least three points, each in range. */
export function parsePolygon(text: string): { ok: true; value: Json } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'Expected JSON: [[lat, lng], [lat, lng], [lat, lng]]' };
  }
  if (!Array.isArray(value) || value.length < 3) return { ok: false, error: 'A polygon needs at least 3 points' };
  for (const point of value) {
    if (
      !Array.isArray(point) ||
      point.length !== 2 ||
      !point.every((n) => typeof n === 'number' && Number.isFinite(n))
    ) {
      return { ok: false, error: 'Each point is [latitude, longitude]' };
    }
    const [lat, lng] = point as [number, number];
    if (lat < -90 || lat > 90 || lng < -180 || lng > 180) return { ok: false, error: 'A point is out of range' };
  }
  return { ok: true, value: { __type: 'Polygon', coordinates: value } };
}

/** A Date value from a `datetime-local`-style or ISO text (read as UTC). */
export function parseDateField(text: string): { ok: true; value: Json } | { ok: false; error: string } {
  const trimmed = text.trim();
  const iso = /(Z|[+-]\d\d:?\d\d)$/.test(trimmed) ? trimmed : `${trimmed}Z`;
  const date = new Date(iso);
  if (trimmed === '' || Number.isNaN(date.getTime()))
    return { ok: false, error: 'Expected a date such as 2025-01-31T12:00:00Z' };
  return { ok: true, value: { __type: 'Date', iso: date.toISOString() } };
}

/** Columns the server manages; never edited in the grid. */
export const READ_ONLY_FIELDS: ReadonlySet<string> = new Set(['objectId', 'createdAt', 'updatedAt']);

/** Fields a class shows, system ones first, in a stable order. */
export function orderedFields(fields: Readonly<Record<string, { type: string }>>): string[] {
  const first = ['objectId', 'createdAt', 'updatedAt', 'ACL'];
  const rest = Object.keys(fields)
    .filter((f) => !first.includes(f))
    .sort((a, b) => a.localeCompare(b));
  return [...first.filter((f) => f in fields), ...rest];
}
