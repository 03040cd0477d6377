/**
 * The data browser's filter builder: a list of conditions (field, operator, text) turned into a Parse
 * `where` (spec queries.md). Values are read according to the field's type, so `score > 3` compares numbers
 * and `createdAt < 2025-01-01` compares dates. Pure: tested in Node.
 */
import type { FieldType } from './values.js';

export type FilterOperator =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'in'
  | 'nin'
  | 'all'
  | 'exists'
  | 'notExists'
  | 'startsWith'
  | 'contains'
  | 'regex'
  | 'near'
  | 'withinBox'
  | 'relatedTo';

export interface Condition {
  readonly field: string;
  readonly op: FilterOperator;
  /** What the user typed: a value, a comma list, `lat,lng,maxKm`, `lat,lng,lat,lng`, or `Class,objectId`. */
  readonly value: string;
}

export const OPERATORS: ReadonlyArray<{ op: FilterOperator; label: string; needsValue: boolean }> = [
  { op: 'eq', label: 'equals', needsValue: true },
  { op: 'ne', label: 'does not equal', needsValue: true },
  { op: 'lt', label: 'less than', needsValue: true },
  { op: 'lte', label: 'at most', needsValue: true },
  { op: 'gt', label: 'greater than', needsValue: true },
  { op: 'gte', label: 'at least', needsValue: true },
  { op: 'in', label: 'is one of (comma list)', needsValue: true },
  { op: 'nin', label: 'is none of (comma list)', needsValue: true },
  { op: 'all', label: 'contains all of (arrays)', needsValue: true },
  { op: 'exists', label: 'exists', needsValue: false },
  { op: 'notExists', label: 'does not exist', needsValue: false },
  { op: 'startsWith', label: 'starts with', needsValue: true },
  { op: 'contains', label: 'contains text', needsValue: true },
  { op: 'regex', label: 'matches regex', needsValue: true },
  { op: 'near', label: 'near (lat, lng, max km)', needsValue: true },
  { op: 'withinBox', label: 'within box (lat, lng, lat, lng)', needsValue: true },
  { op: 'relatedTo', label: 'in relation (Class, objectId, field)', needsValue: true },
];

/** Quotes text for a literal match inside Parse's regex (the SDKs' `\Q...\E`). */
function quote(text: string): string {
  return `\\Q${text.replaceAll('\\E', '\\E\\\\E\\Q')}\\E`;
}

/** One value typed for a field of this type. */
export function parseFilterValue(text: string, type: FieldType | undefined, targetClass?: string): unknown {
  const trimmed = text.trim();
  switch (type) {
    case 'Number': {
      const n = Number(trimmed);
      if (trimmed === '' || !Number.isFinite(n)) throw new TypeError(`"${text}" is not a number`);
      return n;
    }
    case 'Boolean':
      if (trimmed !== 'true' && trimmed !== 'false') throw new TypeError('expected true or false');
      return trimmed === 'true';
    case 'Date': {
      const date = new Date(/(Z|[+-]\d\d:?\d\d)$/.test(trimmed) || !trimmed.includes('T') ? trimmed : `${trimmed}Z`);
      if (Number.isNaN(date.getTime())) throw new TypeError(`"${text}" is not a date`);
      return { __type: 'Date', iso: date.toISOString() };
    }
    case 'Pointer':
      return { __type: 'Pointer', className: targetClass ?? '', objectId: trimmed };
    case 'Object':
    case 'Array':
      try {
        return JSON.parse(trimmed);
      } catch {
        return trimmed;
      }
    default:
      return text;
  }
}

function numbers(text: string, count: number): number[] {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== count || parts.some((n) => !Number.isFinite(n)))
    throw new TypeError(`expected ${count} numbers`);
  return parts;
}

/**
 * The `where` for these conditions (joined with AND). Throws a TypeError naming the first bad value.
 *
 * @example
 * buildWhere([{ field: 'score', op: 'gt', value: '3' }], { score: { type: 'Number' } }) // { score: { $gt: 3 } }
 */
export function buildWhere(
  conditions: readonly Condition[],
  fields: Readonly<Record<string, { type: string; targetClass?: string }>>,
): Record<string, unknown> {
  const parts: Record<string, unknown>[] = [];
  for (const c of conditions) {
    const field = fields[c.field];
    const type = field?.type as FieldType | undefined;
    // For arrays the elements are compared; their type is unknown, so take numbers as numbers.
    const one = (text: string): unknown =>
      type === 'Array'
        ? Number.isFinite(Number(text)) && text.trim() !== ''
          ? Number(text)
          : text.trim()
        : parseFilterValue(text, type, field?.targetClass);
    const list = (): unknown[] => c.value.split(',').map((v) => one(v));
    let constraint: unknown;
    switch (c.op) {
      case 'eq':
        constraint = one(c.value);
        break;
      case 'ne':
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        constraint = { [`$${c.op}`]: one(c.value) };
        break;
      case 'in':
      case 'nin':
      case 'all':
        constraint = { [`$${c.op}`]: list() };
        break;
      case 'exists':
        constraint = { $exists: true };
        break;
      case 'notExists':
        constraint = { $exists: false };
        break;
      case 'startsWith':
        constraint = { $regex: `^${quote(c.value)}` };
        break;
      case 'contains':
        constraint = { $regex: quote(c.value), $options: 'i' };
        break;
      case 'regex':
        constraint = { $regex: c.value };
        break;
      case 'near': {
        const [latitude, longitude, km] = numbers(c.value, 3) as [number, number, number];
        constraint = { $nearSphere: { __type: 'GeoPoint', latitude, longitude }, $maxDistanceInKilometers: km };
        break;
      }
      case 'withinBox': {
        const [a, b, x, y] = numbers(c.value, 4) as [number, number, number, number];
        constraint = {
          $within: {
            $box: [
              { __type: 'GeoPoint', latitude: a, longitude: b },
              { __type: 'GeoPoint', latitude: x, longitude: y },
            ],
          },
        };
        break;
      }
      case 'relatedTo': {
        const [className, objectId, key] = c.value.split(',').map((p) => p.trim());
        if (!className || !objectId || !key) throw new TypeError('expected Class, objectId, relation field');
        parts.push({ $relatedTo: { object: { __type: 'Pointer', className, objectId }, key } });
        continue;
      }
    }
    parts.push({ [c.field]: constraint });
  }
  if (parts.length === 0) return {};
  if (parts.length === 1) return parts[0] as Record<string, unknown>;
  return { $and: parts };
}
