import type { GraphQLSchema } from 'graphql';
import { defaultFieldsOf } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import { buildGraphQLSchema } from './build-schema.js';
import type { ClassLookup } from './where.js';

/** A generated schema and the class schemas it was built from (resolvers read the same snapshot). */
export interface BuiltSchema {
  readonly schema: GraphQLSchema;
  readonly lookup: ClassLookup;
}

/**
 * The generated GraphQL schema, rebuilt when the classes or the cloud functions change. It follows the schema
 * registry: every schema write (here, or on another server, announced over pub/sub and dropped by
 * `app-caches.ts`) makes the registry hand out a new class list, and the next request builds from that one.
 * A request in flight keeps the schema it started with, so nothing is dropped while the schema changes.
 */
export class SchemaCache {
  readonly #classes: () => Promise<readonly ClassSchema[]>;
  readonly #functionNames: () => readonly string[];
  #built: { classes: readonly ClassSchema[]; functions: string; value: BuiltSchema } | undefined;
  #builds = 0;

  constructor(options: { classes: () => Promise<readonly ClassSchema[]>; functionNames: () => readonly string[] }) {
    this.#classes = options.classes;
    this.#functionNames = options.functionNames;
  }

  /** How many schemas were generated so far (tests watch a rebuild happen). */
  get builds(): number {
    return this.#builds;
  }

  async current(): Promise<BuiltSchema> {
    const classes = await this.#classes();
    const functionNames = this.#functionNames();
    const functions = functionNames.join('\u0000');
    const built = this.#built;
    if (built !== undefined && built.classes === classes && built.functions === functions) return built.value;
    const all = withSystemClasses(classes);
    const byName = new Map(all.map((schema) => [schema.className, schema]));
    const value: BuiltSchema = {
      schema: buildGraphQLSchema({ classes: all, functionNames }),
      lookup: (className) => byName.get(className),
    };
    this.#builds += 1;
    this.#built = { classes, functions, value };
    return value;
  }
}

/** The system classes every app has, stored yet or not (a fresh app can sign users up through GraphQL). */
const SYSTEM_CLASSES = ['_User', '_Role', '_Session', '_Installation'];

function withSystemClasses(classes: readonly ClassSchema[]): readonly ClassSchema[] {
  const missing = SYSTEM_CLASSES.filter((name) => !classes.some((schema) => schema.className === name));
  if (missing.length === 0) return classes;
  return [...classes, ...missing.map((className) => ({ className, fields: defaultFieldsOf(className) }))];
}
