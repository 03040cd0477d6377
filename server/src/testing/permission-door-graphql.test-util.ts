/**
 * The permission matrix through the GraphQL door, as an adapter of `permission-matrix-runner.test-util.ts`:
 * the same world as REST's, the same expected answers, read from GraphQL results (an error's
 * `extensions.code`, a null pointer as 'dropped', a null `secret` as hidden). Oracle cases with no GraphQL form
 * (`$relatedTo`, distinct, aggregate) are not applicable here, with that reason. Not part of the build.
 */
import assert from 'node:assert/strict';
import { classNames } from '../graphql/index.js';
import { APP_ID, CLIENT_KEY } from './test-server.test-util.js';
import { seedObject, withGuess, withIds } from './permission-world.test-util.js';
import type { Body, MatrixClass, OracleCase, World } from './permission-world.test-util.js';
import type { Door } from './permission-matrix-runner.test-util.js';

interface GraphQLAnswer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: unknown } }[];
}

async function graphql(options: {
  world: World;
  caller: string;
  body: unknown;
}): Promise<GraphQLAnswer | GraphQLAnswer[]> {
  const response = await fetch(`${options.world.server.url}/graphql`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Parse-Application-Id': APP_ID,
      'X-Parse-REST-API-Key': CLIENT_KEY,
      ...(options.world.headers[options.caller] as Record<string, string>),
    },
    body: JSON.stringify(options.body),
  });
  const parsed = (await response.json()) as Omit<GraphQLAnswer, 'status'> | Omit<GraphQLAnswer, 'status'>[];
  if (Array.isArray(parsed)) return parsed.map((item) => ({ ...item, status: response.status }));
  return { ...parsed, status: response.status };
}

async function single(options: {
  world: World;
  caller: string;
  query: string;
  variables?: Body;
}): Promise<GraphQLAnswer> {
  const answer = await graphql({
    world: options.world,
    caller: options.caller,
    body: { query: options.query, variables: options.variables ?? {} },
  });
  assert.ok(!Array.isArray(answer));
  return answer;
}

const lower = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** The code of a failed answer, as the matrix writes it; undefined when it succeeded. */
function failure(answer: GraphQLAnswer): string | number | undefined {
  const code = answer.errors?.[0]?.extensions?.code;
  if (answer.errors !== undefined && answer.errors.length > 0)
    return typeof code === 'number' ? code : `error ${answer.errors[0]?.message}`;
  return undefined;
}

/** REST `where` JSON as a GraphQL where input, for the operators the oracle cases use. */
function toGraphQLWhere(where: Body): Body {
  const out: Body = {};
  for (const [key, value] of Object.entries(where)) {
    if (key === '$or' || key === '$and' || key === '$nor') {
      out[key.slice(1).toUpperCase()] = (value as Body[]).map(toGraphQLWhere);
      continue;
    }
    const field = key === 'objectId' ? 'id' : key;
    if (value === null || typeof value !== 'object') {
      out[field] = { equalTo: value };
      continue;
    }
    const constraint: Body = {};
    for (const [op, operand] of Object.entries(value as Body)) {
      if (op === '$ne') constraint['notEqualTo'] = operand;
      else if (op === '$regex') constraint['matchesRegex'] = operand;
      else if (op === '$select') constraint['inQueryKey'] = operand;
      else if (op === '$dontSelect') constraint['notInQueryKey'] = operand;
      else if (op === '$inQuery') constraint['have'] = toGraphQLWhere((operand as Body)['where'] as Body);
      else if (op === '$notInQuery') constraint['haveNot'] = toGraphQLWhere((operand as Body)['where'] as Body);
      else throw new Error(`no GraphQL form for ${op}`);
    }
    out[field] = constraint;
  }
  return out;
}

/** Oracle doors GraphQL has no form for. */
function restOnly(oracle: OracleCase): string | undefined {
  if (oracle.path.startsWith('/aggregate/')) return 'distinct and aggregate have no GraphQL operation';
  if (JSON.stringify(oracle.params).includes('$relatedTo')) {
    return 'GraphQL reaches a relation only through its owner object, which is read-checked itself';
  }
  return undefined;
}

async function runOracle(options: {
  world: World;
  oracle: OracleCase;
  caller: string;
  guess: string;
}): Promise<string> {
  const { world, oracle, caller, guess } = options;
  const params = withIds(withGuess(oracle.params, guess), world.ids) as Body;
  const className = oracle.path.replace('/classes/', '');
  const plural = classNames(className).plural;
  if (oracle.answer === 'include') {
    const answer = await single({
      world,
      caller,
      query: `{ ${plural} { edges { node { target { objectId secret } } } } }`,
    });
    const code = failure(answer);
    if (code !== undefined) return String(code);
    const edges = (answer.data?.[plural] as { edges: { node: { target: Body | null } }[] }).edges;
    const target = edges[0]?.node.target;
    if (target === null || target === undefined) return 'dropped';
    return target['secret'] === null ? 'included hidden' : 'included';
  }
  const order =
    typeof params['order'] === 'string'
      ? params['order'].split(',').map((key) => (key.startsWith('-') ? `${key.slice(1)}_DESC` : `${key}_ASC`))
      : undefined;
  const answer = await single({
    world,
    caller,
    query: `query ($where: ${className}WhereInput, $order: [${className}Order!]) {
      ${plural}(where: $where, order: $order${oracle.answer === 'count' ? ', first: 0' : ''}) { count edges { node { objectId } } } }`,
    variables: { where: toGraphQLWhere((params['where'] ?? {}) as Body), ...(order === undefined ? {} : { order }) },
  });
  const code = failure(answer);
  if (code !== undefined) return String(code);
  const connection = answer.data?.[plural] as { count: number; edges: unknown[] };
  return oracle.answer === 'count' ? String(connection.count) : String(connection.edges.length);
}

async function runCell(options: {
  world: World;
  cls: MatrixClass;
  operation: string;
  caller: string;
}): Promise<string | number> {
  const { world, cls, operation, caller } = options;
  const single_ = lower(cls.className);
  const plural = classNames(cls.className).plural;
  const id = world.objects[cls.className] as string;
  const ask = (query: string, variables: Body = {}) => single({ world, caller, query, variables });
  const hidden = (object: Body): string => (object['secret'] === null ? ' hidden' : '');
  switch (operation) {
    case 'find':
    case 'findBySecret': {
      const where =
        operation === 'find' ? { title: { equalTo: 't' } } : { title: { equalTo: 't' }, secret: { equalTo: 's' } };
      const answer = await ask(
        `query ($where: ${cls.className}WhereInput) { ${plural}(where: $where) { edges { node { objectId secret } } } }`,
        { where },
      );
      const code = failure(answer);
      if (code !== undefined) return code;
      const edges = (answer.data?.[plural] as { edges: { node: Body }[] }).edges;
      return `${edges.length}${edges[0] === undefined ? '' : hidden(edges[0].node)}`;
    }
    case 'get': {
      const answer = await ask(`query ($id: ID!) { ${single_}(id: $id) { objectId secret } }`, { id });
      return failure(answer) ?? `ok${hidden(answer.data?.[single_] as Body)}`;
    }
    case 'count': {
      const answer = await ask(`{ ${plural}(where: { title: { equalTo: "t" } }, first: 0) { count } }`);
      return failure(answer) ?? String((answer.data?.[plural] as Body)['count']);
    }
    case 'create': {
      const answer = await ask(
        `mutation { create${cls.className}(input: { fields: { title: "new" } }) { clientMutationId } }`,
      );
      return failure(answer) ?? 'ok';
    }
    case 'update': {
      const answer = await ask(
        `mutation ($id: ID!, $note: String) { update${cls.className}(input: { id: $id, fields: { note: $note } }) { clientMutationId } }`,
        { id, note: `by ${caller}` },
      );
      return failure(answer) ?? 'ok';
    }
    case 'delete': {
      const fresh = await seedObject({ server: world.server, cls, userIds: world.userIds, title: 'fresh' });
      const answer = await ask(
        `mutation ($id: ID!) { delete${cls.className}(input: { id: $id }) { clientMutationId } }`,
        {
          id: fresh,
        },
      );
      return failure(answer) ?? 'ok';
    }
    case 'include': {
      const holder = `holder${cls.className}`;
      const answer = await ask(`query ($id: ID!) { ${holder}(id: $id) { target { objectId secret } } }`, {
        id: world.holders[cls.className],
      });
      const code = failure(answer);
      if (code !== undefined) return code;
      const target = (answer.data?.[holder] as Body)['target'] as Body | null;
      if (target === null) return 'dropped';
      return `included${hidden(target)}`;
    }
    case 'batch': {
      // A batched GraphQL request (a JSON array of operations) holding one update.
      const answers = await graphql({
        world,
        caller,
        body: [
          {
            query: `mutation ($id: ID!) { update${cls.className}(input: { id: $id, fields: { note: "batch" } }) { clientMutationId } }`,
            variables: { id },
          },
        ],
      });
      assert.ok(Array.isArray(answers), 'a batched request answers an array');
      return failure(answers[0] as GraphQLAnswer) ?? 'ok';
    }
    default:
      throw new Error(`unknown operation ${operation}`);
  }
}

export const graphqlDoor: Door = {
  name: 'GraphQL',
  runCell: (world, cell) => runCell({ world, cls: cell.cls, operation: cell.operation, caller: cell.caller }),
  oracleNotApplicable: (oracle) => restOnly(oracle),
  runOracle: (world, { oracle, caller, guess }) => runOracle({ world, oracle, caller, guess }),
};
