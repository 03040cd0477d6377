import type { GraphQLSchema } from 'graphql';
import { defaultFieldsOf } from '../schema/index.js';
import type { GraphQLConfig } from '../core/index.js';
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
  readonly #config: () => Promise<GraphQLConfig>;
  #built:
    | {
        classes: readonly ClassSchema[];
        names: readonly string[];
        functions: string;
        config: GraphQLConfig;
        value: BuiltSchema;
      }
    | undefined;
  #builds = 0;

  constructor(options: {
    classes: () => Promise<readonly ClassSchema[]>;
    functionNames: () => readonly string[];
    /** The GraphQL config (the cache hands out the same object until it changes); absent: `{}`. */
    config?: () => Promise<GraphQLConfig>;
  }) {
    this.#classes = options.classes;
    this.#functionNames = options.functionNames;
    this.#config = options.config ?? (() => Promise.resolve(EMPTY_CONFIG));
  }

  /** How many schemas were generated so far (tests watch a rebuild happen). */
  get builds(): number {
    return this.#builds;
  }

  async current(): Promise<BuiltSchema> {
    const classes = await this.#classes();
    const config = await this.#config();
    const functionNames = this.#functionNames();
    const built = this.#built;
    const same = built !== undefined && built.classes === classes && built.config === config;
    // The registry hands out the same array until a function or webhook changes: compare it before joining.
    if (same && built.names === functionNames) return built.value;
    const functions = functionNames.join('\u0000');
    if (same && built.functions === functions) {
      this.#built = { ...built, names: functionNames };
      return built.value;
    }
    const generated = buildGraphQLSchema({ classes: withSystemClasses(classes), functionNames, config });
    // Only the classes the schema exposes can be looked up: a where, a nested create or a sub-query naming
    // another class (internal, or left out by the GraphQL config) finds nothing.
    const byName = new Map(generated.classes.map((schema) => [schema.className, schema]));
    const value: BuiltSchema = { schema: generated.schema, lookup: (className) => byName.get(className) };
    this.#builds += 1;
    this.#built = { classes, names: functionNames, functions, config, value };
    return value;
  }
}

const EMPTY_CONFIG: GraphQLConfig = Object.freeze({});

/** The system classes every app has, stored yet or not (a fresh app can sign users up through GraphQL). */
const SYSTEM_CLASSES = ['_User', '_Role', '_Session', '_Installation'];

function withSystemClasses(classes: readonly ClassSchema[]): readonly ClassSchema[] {
  const missing = SYSTEM_CLASSES.filter((name) => !classes.some((schema) => schema.className === name));
  if (missing.length === 0) return classes;
  return [...classes, ...missing.map((className) => ({ className, fields: defaultFieldsOf(className) }))];
}
