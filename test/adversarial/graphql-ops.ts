/**
 * GraphQL operations generated from the live schema (issue 19 item 1): the fuzzer introspects the server with
 * the master key, then each draw walks the schema from a random root field: arguments of the declared types
 * (inline literals or variables), selections of random fields down to a random depth, aliases, fragments and
 * `__typename`. One draw in four is made invalid on purpose (wrong types, unknown fields and arguments,
 * missing required arguments, truncated text, excess depth or aliases, junk variables), so both the validator
 * and the resolvers are reached. A seeded PRNG makes every document a pure function of its seed.
 */
import {
  buildClientSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';
import type {
  GraphQLField,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLOutputType,
  GraphQLSchema,
  IntrospectionQuery,
} from 'graphql';
import type { Json } from './payloads.js';

export interface GraphQLDraw {
  /** `{ query, variables?, operationName? }`, or an array of them (a batch). */
  readonly body: Json;
  readonly kind: 'valid' | 'invalid' | 'batch' | 'garbage';
  /** The root fields the operation calls (for the per-field tally). */
  readonly roots: readonly string[];
  readonly mutation: boolean;
}

/** A small deterministic PRNG (mulberry32): the same seed always draws the same operation. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T;
  }
}

export interface GraphQLFuzzContext {
  /** Object ids (and Relay global ids) the server holds: most id arguments name one. */
  readonly ids: readonly string[];
  /** Hostile JSON values (sampled from payloads.ts) for custom scalars and variables. */
  readonly values: readonly Json[];
  /** Strings for String arguments. */
  readonly strings: readonly string[];
  /** Root mutation fields the caller may draw (the master caller skips schema and permission changes). */
  readonly allowMutation: (name: string, caller: string) => boolean;
}

/** What one operation's walk carries: its randomness, the variables declared so far, whether it is made invalid. */
interface OpState {
  readonly rng: Rng;
  readonly variables: Record<string, Json>;
  readonly declarations: string[];
  readonly invalid: boolean;
  aliases: number;
  readonly useVariables: boolean;
}

const WEIRD_STRINGS = ['', ' ', '\u0000', 'a'.repeat(2000), '__proto__', '{"$gt":""}', '\ud800', 'ünï', '../../x'];

export class GraphQLFuzzer {
  readonly schema: GraphQLSchema;
  constructor(
    introspection: IntrospectionQuery,
    private readonly context: GraphQLFuzzContext,
  ) {
    this.schema = buildClientSchema(introspection);
  }

  draw(seed: number, caller: string): GraphQLDraw {
    const rng = new Rng(seed);
    const roll = rng.next();
    if (roll < 0.03) return this.#garbage(rng);
    if (roll < 0.08) {
      const ops = Array.from({ length: 1 + rng.int(13) }, () => this.#operation(rng, caller, rng.chance(0.2)));
      return {
        body: ops.map((op) => op.body as Json),
        kind: 'batch',
        roots: ops.flatMap((op) => op.roots),
        mutation: ops.some((op) => op.mutation),
      };
    }
    return this.#operation(rng, caller, roll < 0.3);
  }

  #garbage(rng: Rng): GraphQLDraw {
    const bodies: Json[] = [
      { query: rng.pick(['{', '}', 'query {', '{ a { b { c', 'subscription { x }', '', '#', '"""', '{ ... }']) },
      { query: 42 },
      { query: null },
      { query: ['{ health }'] },
      { query: '{ health }', variables: 'not an object' },
      { query: '{ health }', variables: [1, 2] },
      { query: '{ health }', operationName: 7 },
      { query: 'query A { health } query B { health }' },
      { query: 'query A { health } query B { health }', operationName: 'C' },
      { query: `{ ${'a: health '.repeat(200)} }` },
      { query: `{${'{'.repeat(500)}` },
      { query: `query ${'($v: Int)'.repeat(50)} { health }` },
      { query: `{ health ${'@include(if: true) '.repeat(300)} }` },
      { query: 'fragment F on Query { ...F } { ...F }' },
      { query: '{ __schema { types { name } } }' },
      { query: '{ __type(name: "Query") { fields { name } } }' },
      [],
      'a string',
      null,
    ];
    return { body: rng.pick(bodies), kind: 'garbage', roots: [], mutation: false };
  }

  #operation(rng: Rng, caller: string, invalid: boolean): GraphQLDraw {
    const mutationType = this.schema.getMutationType();
    const mutations = mutationType
      ? Object.values(mutationType.getFields()).filter((f) => this.context.allowMutation(f.name, caller))
      : [];
    const useMutation = mutations.length > 0 && rng.chance(0.35);
    const rootType = useMutation ? mutationType : this.schema.getQueryType();
    if (rootType === null || rootType === undefined) throw new Error('the schema has no root type');
    const fields = useMutation ? mutations : Object.values(rootType.getFields());
    const variables: Record<string, Json> = {};
    const declarations: string[] = [];
    const state = { rng, variables, declarations, invalid, aliases: 0, useVariables: rng.chance(0.35) };
    const roots: string[] = [];
    const selections: string[] = [];
    const count = 1 + rng.int(rng.chance(0.1) ? 6 : 2);
    for (let i = 0; i < count; i++) {
      const field = rng.pick(fields);
      roots.push(field.name);
      selections.push(this.#field(field, state, rng.chance(0.05) ? 30 : 1 + rng.int(5)));
    }
    if (invalid && rng.chance(0.25)) selections.push(rng.pick(['nope', 'health { nope }', '__typename(x: 1)']));
    if (invalid && rng.chance(0.1)) {
      // Far more aliases than the limit allows.
      for (let i = 0; i < 80; i++) selections.push(`a${i}: __typename`);
    }
    const head = `${useMutation ? 'mutation' : 'query'} Fuzz${declarations.length > 0 ? `(${declarations.join(', ')})` : ''}`;
    let query = `${head} { ${selections.join(' ')} }`;
    if (rng.chance(0.1)) query += ' fragment Unused on Query { __typename }';
    if (invalid && rng.chance(0.2)) query = query.slice(0, rng.int(query.length));
    const body: Record<string, Json> = { query };
    if (Object.keys(variables).length > 0 || (invalid && rng.chance(0.3))) {
      body['variables'] = invalid && rng.chance(0.3) ? rng.pick(this.context.values) : variables;
    }
    if (rng.chance(0.5)) body['operationName'] = invalid && rng.chance(0.2) ? 'Other' : 'Fuzz';
    return { body, kind: invalid ? 'invalid' : 'valid', roots, mutation: useMutation };
  }

  #field(field: GraphQLField<unknown, unknown>, state: OpState, depth: number): string {
    const { rng } = state;
    const args: string[] = [];
    for (const arg of field.args) {
      const required = isNonNullType(arg.type);
      if (!required && !rng.chance(0.5)) continue;
      if (required && state.invalid && rng.chance(0.1)) continue; // a missing required argument
      if (state.useVariables) {
        const name = `v${state.declarations.length}`;
        state.declarations.push(`$${name}: ${String(arg.type)}`);
        state.variables[name] = this.#json(arg.type, state, 0);
        args.push(`${arg.name}: $${name}`);
      } else {
        args.push(`${arg.name}: ${this.#literal(arg.type, state, 0)}`);
      }
    }
    if (state.invalid && rng.chance(0.1)) args.push(`nope${rng.int(3)}: 1`);
    const alias = rng.chance(0.1) && state.aliases < 40 ? `al${state.aliases++}: ` : '';
    const head = `${alias}${field.name}${args.length > 0 ? `(${args.join(', ')})` : ''}`;
    const selection = this.#selection(field.type, state, depth - 1);
    return selection === '' ? head : `${head} ${selection}`;
  }

  #selection(type: GraphQLOutputType, state: OpState, depth: number): string {
    const named = getNamedType(type) as GraphQLNamedType;
    if (isScalarType(named) || isEnumType(named)) return '';
    if (isUnionType(named) || isInterfaceType(named)) {
      const possible = this.schema.getPossibleTypes(named);
      const inner = possible
        .slice(0, 2)
        .map((t) => `... on ${t.name} { ${depth <= 0 ? '__typename' : this.#fields(t, state, depth)} }`);
      return `{ __typename ${inner.join(' ')} }`;
    }
    if (!isObjectType(named)) return '';
    if (depth <= 0) return '{ __typename }';
    return `{ ${this.#fields(named, state, depth)} }`;
  }

  #fields(
    type: { getFields(): Record<string, GraphQLField<unknown, unknown>> },
    state: OpState,
    depth: number,
  ): string {
    const { rng } = state;
    const all = Object.values(type.getFields());
    const chosen: string[] = rng.chance(0.3) ? ['__typename'] : [];
    const n = 1 + rng.int(Math.min(4, all.length));
    for (let i = 0; i < n; i++) chosen.push(this.#field(rng.pick(all), state, depth));
    return chosen.join(' ');
  }

  /** A value of `type` as a GraphQL literal. */
  #literal(type: GraphQLInputType, state: OpState, depth: number): string {
    const { rng } = state;
    if (state.invalid && rng.chance(0.08)) return rng.pick(['"wrong"', '1', 'true', 'null', '{}', '[]', 'NOPE']);
    if (isNonNullType(type)) return this.#literal(type.ofType, state, depth);
    if (rng.chance(0.05)) return 'null';
    if (isListType(type)) {
      const n = depth > 3 ? 0 : rng.int(4);
      return `[${Array.from({ length: n }, () => this.#literal(type.ofType, state, depth + 1)).join(', ')}]`;
    }
    if (isEnumType(type)) return rng.pick(type.getValues()).name;
    if (isInputObjectType(type)) {
      if (depth > 4) return '{}';
      const parts: string[] = [];
      for (const f of Object.values(type.getFields())) {
        if (!isNonNullType(f.type) && !rng.chance(0.4)) continue;
        parts.push(`${f.name}: ${this.#literal(f.type, state, depth + 1)}`);
      }
      return `{ ${parts.join(', ')} }`;
    }
    return graphqlLiteral(this.#scalar(type.name, state));
  }

  /** A value of `type` as JSON (for variables). */
  #json(type: GraphQLInputType, state: OpState, depth: number): Json {
    const { rng } = state;
    if (state.invalid && rng.chance(0.08)) return rng.pick(this.context.values);
    if (isNonNullType(type)) return this.#json(type.ofType, state, depth);
    if (rng.chance(0.05)) return null;
    if (isListType(type)) {
      const n = depth > 3 ? 0 : rng.int(4);
      return Array.from({ length: n }, () => this.#json(type.ofType, state, depth + 1));
    }
    if (isEnumType(type)) return rng.pick(type.getValues()).name;
    if (isInputObjectType(type)) {
      if (depth > 4) return {};
      const out: Record<string, Json> = {};
      for (const f of Object.values(type.getFields())) {
        if (!isNonNullType(f.type) && !rng.chance(0.4)) continue;
        out[f.name] = this.#json(f.type, state, depth + 1);
      }
      return out;
    }
    return this.#scalar(type.name, state);
  }

  #scalar(name: string, state: OpState): Json {
    const { rng } = state;
    switch (name) {
      case 'ID':
        return rng.chance(0.85) ? rng.pick(this.context.ids) : rng.pick(WEIRD_STRINGS);
      case 'String':
        return rng.chance(0.8) ? rng.pick(this.context.strings) : rng.pick(WEIRD_STRINGS);
      case 'Int':
        return rng.pick([0, 1, -1, 10, 100, 1000, 2 ** 31 - 1, -(2 ** 31)]);
      case 'Float':
        return rng.pick([0, 1.5, -1e308, 1e308, 3.14, -0.0001]);
      case 'Boolean':
        return rng.chance(0.5);
      default:
        // Custom scalars (Date, Object, Any, GeoPoint, File, Bytes, …): hostile JSON, sometimes a plain scalar.
        return rng.chance(0.3) ? rng.pick(['2024-01-01T00:00:00.000Z', 'x', 1, true]) : rng.pick(this.context.values);
    }
  }
}

/** JSON as a GraphQL literal: object keys that are not GraphQL names are dropped (they cannot be written). */
export function graphqlLiteral(value: Json): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(graphqlLiteral).join(', ')}]`;
  const parts = Object.entries(value)
    .filter(([key]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(key))
    .map(([key, v]) => `${key}: ${graphqlLiteral(v)}`);
  return `{ ${parts.join(', ')} }`;
}
