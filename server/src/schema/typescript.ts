import { ErrorCode, ParseError } from '../errors/index.js';

/**
 * `strata types`: renders a server's class schemas as TypeScript for `@strata/sdk`. One interface per class
 * (required fields without `?`; objectId, createdAt and updatedAt are left to the SDK, which adds them to
 * every record) and a `Schema` interface mapping each class name to its interface, so
 * `createClient<Schema>(...).collection('Todo')` is checked by the compiler.
 *
 * @example
 * renderSchemaTypes([{ className: 'Todo', fields: { title: { type: 'String', required: true } } }])
 * // export interface Todo { title: string; } ... export interface Schema { Todo: Todo; }
 */

/** The part of a `GET /schemas` entry the generator reads. */
export interface SchemaForTypes {
  readonly className: string;
  readonly fields: Readonly<
    Record<string, { readonly type: string; readonly targetClass?: string; readonly required?: boolean }>
  >;
}

/** The SDK's value types the generated file imports. */
const SDK_TYPES = ['ACL', 'Bytes', 'GeoPoint', 'Pointer', 'Polygon', 'Relation', 'StrataFile'] as const;

/** System fields every SDK record has already. */
const SYSTEM_FIELDS: ReadonlySet<string> = new Set(['objectId', 'createdAt', 'updatedAt']);

/** Interface names for Parse's built-in classes (the rest drop their leading underscore). */
const BUILT_IN_NAMES: Readonly<Record<string, string>> = {
  _User: 'User',
  _Role: 'Role',
  _Session: 'Session',
  _Installation: 'Installation',
};

/**
 * Names a generated interface may not take: TypeScript's reserved and predefined type names, the globals
 * the file uses, the SDK types it imports and `Schema` itself.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  ...SDK_TYPES,
  'Schema',
  'Date',
  'Record',
  'Array',
  'Object',
  'Promise',
  ...'any unknown never void null undefined object string number boolean symbol bigint'.split(' '),
  ...(
    'break case catch class const continue debugger default delete do else enum export extends false finally ' +
    'for function if import in instanceof new return super switch this throw true try typeof var while with ' +
    'implements interface let package private protected public static yield type as async await declare ' +
    'module namespace require get set of readonly keyof infer is asserts abstract global'
  ).split(' '),
]);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A valid identifier close to `name`: other characters become `_`, a leading digit gets a `_` prefix. */
function toIdentifier(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return cleaned === '' || /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** Each class's interface name: readable, a valid identifier, not reserved, unique (`User` vs `_User`). */
function interfaceNames(classNames: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  const claim = (className: string, wanted: string): void => {
    const free = (candidate: string): boolean => !taken.has(candidate) && !RESERVED_NAMES.has(candidate);
    let name = free(wanted) ? wanted : `${wanted}Class`;
    for (let n = 2; !free(name); n++) name = `${wanted}Class${n}`;
    taken.add(name);
    names.set(className, name);
  };
  // Built-in classes first, so they keep their short names (`User`) even when an app class wants them.
  const builtIns = classNames.filter((c) => BUILT_IN_NAMES[c] !== undefined);
  for (const className of builtIns) claim(className, BUILT_IN_NAMES[className] as string);
  for (const className of classNames) {
    if (names.has(className)) continue;
    claim(className, toIdentifier(className.startsWith('_') ? className.slice(1) : className));
  }
  return names;
}

function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function fieldType(field: SchemaForTypes['fields'][string], names: ReadonlyMap<string, string>): string {
  const target = (kind: string): string => {
    const name = field.targetClass === undefined ? undefined : names.get(field.targetClass);
    return name === undefined ? kind : `${kind}<${name}>`;
  };
  switch (field.type) {
    case 'String':
      return 'string';
    case 'Number':
      return 'number';
    case 'Boolean':
      return 'boolean';
    case 'Date':
      return 'Date';
    case 'Object':
      return 'Record<string, unknown>';
    case 'Array':
      return 'unknown[]';
    case 'GeoPoint':
      return 'GeoPoint';
    case 'Polygon':
      return 'Polygon';
    case 'File':
      return 'StrataFile';
    case 'Bytes':
      return 'Bytes';
    case 'ACL':
      return 'ACL';
    case 'Pointer':
      return target('Pointer');
    case 'Relation':
      return target('Relation');
    default:
      return 'unknown';
  }
}

/** The TypeScript module for `schemas` (deterministic: classes and fields in name order). */
export function renderSchemaTypes(schemas: readonly SchemaForTypes[]): string {
  const sorted = [...schemas].sort((a, b) => (a.className < b.className ? -1 : a.className > b.className ? 1 : 0));
  const names = interfaceNames(sorted.map((s) => s.className));
  const lines: string[] = [];
  for (const schema of sorted) {
    const name = names.get(schema.className) as string;
    lines.push(`/** Class \`${schema.className}\`. */`, `export interface ${name} {`);
    const fieldNames = Object.keys(schema.fields)
      .filter((f) => !SYSTEM_FIELDS.has(f))
      .sort();
    for (const fieldName of fieldNames) {
      const field = schema.fields[fieldName] as SchemaForTypes['fields'][string];
      const optional = field.required === true && field.type !== 'Relation' ? '' : '?';
      lines.push(`  ${propertyKey(fieldName)}${optional}: ${fieldType(field, names)};`);
    }
    lines.push('}', '');
  }
  lines.push('/** Every class by its name, for `createClient<Schema>(...)`. */', 'export interface Schema {');
  for (const schema of sorted)
    lines.push(`  ${propertyKey(schema.className)}: ${names.get(schema.className) as string};`);
  lines.push('}', '');
  // Only the SDK types the classes use: an unused import fails projects built with noUnusedLocals.
  const body = lines.join('\n');
  const used = SDK_TYPES.filter((name) => new RegExp(`: ${name}(<|;)`).test(body));
  const header = [
    '// Generated by `strata types` from the server schema. Do not edit: run `strata types` again after schema changes.',
    ...(used.length === 0 ? [] : [`import type { ${used.join(', ')} } from '@strata/sdk';`]),
    '',
  ];
  return [...header, body].join('\n');
}

function badSchemas(detail: string): ParseError {
  return new ParseError(ErrorCode.INVALID_JSON, { message: `unexpected GET /schemas answer: ${detail}` });
}

/** Reads a `GET /schemas` body (`{"results":[{className, fields}, ...]}`), checking the shape it relies on. */
export function schemasFromRestJson(body: unknown): SchemaForTypes[] {
  const results = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['results'] : undefined;
  if (!Array.isArray(results)) throw badSchemas('no "results" array');
  return results.map((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null) throw badSchemas(`results[${i}] is not an object`);
    const { className, fields } = entry as Record<string, unknown>;
    if (typeof className !== 'string' || className === '') throw badSchemas(`results[${i}] has no className`);
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      throw badSchemas(`${className} has no fields object`);
    }
    const checked = Object.entries(fields as Record<string, unknown>).map(([fieldName, raw]) => {
      const def = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
      if (typeof def['type'] !== 'string') throw badSchemas(`${className}.${fieldName} has no type`);
      const field = {
        type: def['type'],
        ...(typeof def['targetClass'] === 'string' ? { targetClass: def['targetClass'] } : {}),
        ...(def['required'] === true ? { required: true } : {}),
      };
      return [fieldName, field] as const;
    });
    // fromEntries defines own properties: a field named `__proto__` stays a field, never a prototype.
    return { className, fields: Object.fromEntries(checked) };
  });
}
