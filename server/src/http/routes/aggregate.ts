import { ErrorCode, ParseError } from '../../errors/index.js';
import { assertClassName, encodeValue } from '../../schema/index.js';
import type { EncodeOptions, ParseValue } from '../../schema/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';
import type { EncodingContext } from '../encoding-context.js';
import { truthy, whereParam } from '../params.js';

/** Parameters that are options, never stages of a legacy body-as-pipeline (rest.md §15). */
const OPTION_PARAMS: ReadonlySet<string> = new Set([
  'pipeline',
  'distinct',
  'where',
  'hint',
  'explain',
  'comment',
  'readPreference',
  'rawValues',
  'rawFieldNames',
]);

/** `GET /aggregate/:className` (rest.md §15): a pipeline, or `distinct` of one field (master key). */
export function aggregateRoutes(encoding: EncodingContext): RouteDefinition[] {
  return [{ method: 'GET', path: '/aggregate/:className', handler: (r) => runAggregate(encoding, r) }];
}

async function runAggregate(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const className = request.params['className'] as string;
  assertClassName(className);
  const params: Record<string, unknown> = { ...request.body, ...request.query };
  for (const option of ['rawValues', 'rawFieldNames', 'explain'] as const) {
    // Refused rather than ignored: answering in another format than asked would be a wrong answer.
    if (truthy(params[option])) {
      throw new ParseError(ErrorCode.INVALID_QUERY, { message: `The aggregate option ${option} is not supported.` });
    }
  }
  const options = encoding.forRequest(request);
  const where = whereParam(params['where']);
  const distinct = params['distinct'];
  if (distinct !== undefined && distinct !== null && distinct !== '') {
    const result = await request.core.distinct({ auth: request.auth, className, field: String(distinct), where });
    return { body: { results: result.results.map((value) => encodeValue(value, options)) } };
  }
  const result = await request.core.aggregate({ auth: request.auth, className, pipeline: pipelineOf(params), where });
  return { body: { results: result.results.map((document) => encodeDocument(document, options)) } };
}

/** `pipeline`, or else (legacy) the remaining parameters as a map of stages. */
function pipelineOf(params: Record<string, unknown>): unknown {
  if (params['pipeline'] !== undefined) return params['pipeline'];
  const stages: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) if (!OPTION_PARAMS.has(key)) stages[key] = value;
  return stages;
}

/** Like an object: top-level `createdAt` / `updatedAt` dates are bare ISO strings. */
function encodeDocument(document: Record<string, ParseValue>, options: EncodeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    out[key] =
      (key === 'createdAt' || key === 'updatedAt') && value instanceof Date
        ? value.toISOString()
        : encodeValue(value, options);
  }
  return out;
}
