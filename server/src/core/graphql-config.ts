import { requireMaster } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { isPlainObject } from '../schema/index.js';
import type { StorageAdapter } from '../storage/index.js';
import type { CoreDeps } from './deps.js';
import { DocumentCache } from './document-cache.js';
import type { GraphQLConfig, GraphQLConfigSource } from './graphql-config-types.js';

/**
 * The cached GraphQL config of one app server (the generated schema reads it on every request), as
 * `DocumentCache` keeps it; a stored config that is not a valid one reads as `{}`.
 */
export class GraphQLConfigCache extends DocumentCache<GraphQLConfig> implements GraphQLConfigSource {
  constructor(options: { storage: StorageAdapter; onChange?: () => void }) {
    const { storage } = options;
    super({
      load: () =>
        storage.getGraphQLConfig === undefined
          ? Promise.resolve({})
          : storage.getGraphQLConfig().then((stored) => (isGraphQLConfig(stored) ? stored : {})),
      onChange: options.onChange,
    });
  }
}

function sourceOf(deps: CoreDeps): GraphQLConfigSource {
  return deps.graphQLConfig ?? new GraphQLConfigCache({ storage: deps.storage });
}

/** `GET /graphql-config`: the config (`{}` when none was ever saved). */
export async function getGraphQLConfig(deps: CoreDeps, request: { auth: Auth }): Promise<GraphQLConfig> {
  requireMaster(request.auth, { access: 'read' });
  return sourceOf(deps).get();
}

/** `PUT /graphql-config` (body `{params}`): checks the whole config, then replaces the stored one with it. */
export async function updateGraphQLConfig(deps: CoreDeps, request: { auth: Auth; config: unknown }): Promise<void> {
  requireMaster(request.auth, { access: 'write', readOnlyAction: 'update the GraphQL config' });
  const config = checkGraphQLConfig(request.config);
  if (deps.storage.setGraphQLConfig === undefined) {
    throw new ParseError(ErrorCode.INVALID_QUERY, {
      message: `The ${deps.storage.kind} storage cannot store the GraphQL config.`,
    });
  }
  await deps.storage.setGraphQLConfig(config as Record<string, unknown>);
  sourceOf(deps).changed();
}

function isGraphQLConfig(value: unknown): value is GraphQLConfig {
  try {
    checkGraphQLConfig(value);
    return true;
  } catch {
    return false;
  }
}

const CONFIG_KEYS = new Set(['enabledForClasses', 'disabledForClasses', 'classConfigs']);
const CLASS_KEYS = new Set(['className', 'type', 'query', 'mutation']);
const TYPE_KEYS = new Set(['inputFields', 'outputFields', 'constraintFields', 'sortFields']);
const INPUT_KEYS = new Set(['create', 'update']);
const QUERY_FLAGS = ['get', 'find'];
const QUERY_ALIASES = ['getAlias', 'findAlias'];
const MUTATION_FLAGS = ['create', 'update', 'destroy'];
const MUTATION_ALIASES = ['createAlias', 'updateAlias', 'destroyAlias'];
/** Aliases become GraphQL field names. */
const GRAPHQL_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
/** Bounds, so one request cannot make every server build an enormous schema. */
const MAX_ENTRIES = 1000;

/**
 * Checks a GraphQL config with Parse's rules (the keys and value types it accepts, `_User`'s create fields
 * must include username and password) and answers it as a plain copy. Every problem found is listed in one
 * 142 "Invalid graphQLConfig: …" (parse-server answers a bare 500 there).
 */
export function checkGraphQLConfig(value: unknown): GraphQLConfig {
  const problems: string[] = [];
  if (!isPlainObject(value)) {
    throw invalid(['must be a valid object']);
  }
  const unknown = Object.keys(value).filter((key) => !CONFIG_KEYS.has(key));
  if (unknown.length > 0) problems.push(`encountered invalid keys: [${unknown.join(',')}]`);
  for (const key of ['enabledForClasses', 'disabledForClasses']) {
    if (value[key] !== undefined && value[key] !== null && !isNameList(value[key])) {
      problems.push(`"${key}" is not a valid array`);
    }
  }
  const classConfigs = value['classConfigs'];
  if (classConfigs !== undefined && classConfigs !== null) {
    if (!Array.isArray(classConfigs) || classConfigs.length > MAX_ENTRIES) {
      problems.push('"classConfigs" is not a valid array');
    } else {
      for (const classConfig of classConfigs as unknown[]) {
        const problem = classConfigProblem(classConfig);
        if (problem !== undefined) {
          const name = isPlainObject(classConfig) ? String(classConfig['className']) : String(classConfig);
          problems.push(`classConfig:${name.slice(0, 100)} is invalid because ${problem}`);
        }
      }
    }
  }
  if (problems.length > 0) throw invalid(problems);
  return JSON.parse(JSON.stringify(withoutNulls(value))) as GraphQLConfig;
}

function invalid(problems: string[]): ParseError {
  return new ParseError(ErrorCode.VALIDATION_ERROR, { message: `Invalid graphQLConfig: ${problems.join('; ')}` });
}

/** Parse treats a null entry as absent. */
function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null));
}

function isNameList(value: unknown): value is string[] {
  return (
    Array.isArray(value) &&
    value.length <= MAX_ENTRIES &&
    value.every((item) => typeof item === 'string' && item.trim().length > 0 && item.length <= 256)
  );
}

function extraKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): string[] {
  return Object.keys(value).filter((key) => !allowed.has(key));
}

function classConfigProblem(config: unknown): string | undefined {
  if (!isPlainObject(config)) return 'it must be a valid object';
  const extra = extraKeys(config, CLASS_KEYS);
  if (extra.length > 0) return `"invalidKeys" [${extra.join(',')}] should not be present`;
  const className = config['className'];
  if (typeof className !== 'string' || className.trim().length === 0) return '"className" must be a valid string';
  const type = config['type'];
  if (type !== undefined && type !== null) {
    const problem = typeProblem(type, className);
    if (problem !== undefined) return problem;
  }
  const query = config['query'];
  if (query !== undefined && query !== null) {
    const problem = togglesProblem('query', query, { flags: QUERY_FLAGS, aliases: QUERY_ALIASES });
    if (problem !== undefined) return problem;
  }
  const mutation = config['mutation'];
  if (mutation !== undefined && mutation !== null) {
    return togglesProblem('mutation', mutation, { flags: MUTATION_FLAGS, aliases: MUTATION_ALIASES });
  }
  return undefined;
}

function typeProblem(type: unknown, className: string): string | undefined {
  if (!isPlainObject(type)) return '"type" must be a valid object';
  const extra = extraKeys(type, TYPE_KEYS);
  if (extra.length > 0) return `"type" contains invalid keys, [${extra.join(',')}]`;
  for (const key of ['outputFields', 'constraintFields']) {
    if (type[key] !== undefined && type[key] !== null && !isNameList(type[key])) {
      return `"${key}" must be a valid string array`;
    }
  }
  const sortFields = type['sortFields'];
  if (sortFields !== undefined && sortFields !== null) {
    if (!Array.isArray(sortFields) || sortFields.length > MAX_ENTRIES) return '"sortFields" must be a valid array.';
    for (const [index, sortField] of (sortFields as unknown[]).entries()) {
      if (!isPlainObject(sortField)) return `"sortField" at index ${index} is not a valid object`;
      const extraSort = extraKeys(sortField, new Set(['field', 'asc', 'desc']));
      if (extraSort.length > 0) return `"sortField" at index ${index} contains invalid keys, [${extraSort.join(',')}]`;
      const field = sortField['field'];
      if (typeof field !== 'string' || field.trim().length === 0) {
        return `"sortField" at index ${index} did not provide the "field" as a string`;
      }
      if (typeof sortField['asc'] !== 'boolean' || typeof sortField['desc'] !== 'boolean') {
        return `"sortField" at index ${index} did not provide "asc" or "desc" as booleans`;
      }
    }
  }
  const inputFields = type['inputFields'];
  if (inputFields !== undefined && inputFields !== null) {
    if (!isPlainObject(inputFields)) return '"inputFields" must be a valid object';
    const extraInput = extraKeys(inputFields, INPUT_KEYS);
    if (extraInput.length > 0) return `"inputFields" contains invalid keys: [${extraInput.join(',')}]`;
    const { create, update } = inputFields;
    if (update !== undefined && update !== null && !isNameList(update)) {
      return '"inputFields.update" must be a valid string array';
    }
    if (create !== undefined && create !== null) {
      if (!isNameList(create)) return '"inputFields.create" must be a valid string array';
      if (className === '_User' && (!create.includes('username') || !create.includes('password'))) {
        return '"inputFields.create" must include required fields, username and password';
      }
    }
  }
  return undefined;
}

function togglesProblem(
  what: string,
  value: unknown,
  names: { flags: readonly string[]; aliases: readonly string[] },
): string | undefined {
  const { flags, aliases } = names;
  if (!isPlainObject(value)) return `"${what}" must be a valid object`;
  const extra = extraKeys(value, new Set([...flags, ...aliases]));
  if (extra.length > 0) return `"${what}" contains invalid keys, [${extra.join(',')}]`;
  for (const flag of flags) {
    if (value[flag] !== undefined && value[flag] !== null && typeof value[flag] !== 'boolean') {
      return `"${what}.${flag}" must be a boolean`;
    }
  }
  for (const alias of aliases) {
    const name = value[alias];
    if (name === undefined || name === null) continue;
    if (typeof name !== 'string') return `"${what}.${alias}" must be a string`;
    // Beyond Parse: an alias is a GraphQL field name, so it must be one (else every request would fail).
    if (!GRAPHQL_NAME.test(name) || name.startsWith('__') || name.length > 100)
      return `"${what}.${alias}" must be a GraphQL name`;
  }
  return undefined;
}
