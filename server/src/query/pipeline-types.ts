import type { ParseValue } from '../schema/index.js';
import type { Condition } from './ast.js';

/**
 * The typed form of an aggregation pipeline (`GET /aggregate/:className`, spec/queries.md §9), parsed
 * and validated once by `parsePipeline`. Field references are already in parse-server's stored names
 * (`objectId` → `_id`, `createdAt` → `_created_at`, pointer `owner` → `_p_owner`), which is the shape
 * of the documents flowing through the pipeline on every backend; the output mapping back to Parse
 * names happens in `core`.
 */

/** A value computed per document. */
export type PipelineExpression =
  /** `"$a.b"`: the value at a path of the current document (stored names). */
  | { readonly kind: 'field'; readonly path: readonly [string, ...string[]] }
  /** A constant (numbers, booleans, null; anything via `{"$literal": …}`). */
  | { readonly kind: 'literal'; readonly value: ParseValue }
  /** `{ "a": <expr>, … }`: a document of expressions (compound group keys). */
  | { readonly kind: 'object'; readonly fields: ReadonlyArray<readonly [string, PipelineExpression]> }
  /** An operator expression (`{"$year": "$_created_at"}`) kept as written: only MongoDB evaluates it. */
  | { readonly kind: 'native'; readonly json: unknown };

export type AccumulatorOp = 'sum' | 'avg' | 'min' | 'max' | 'first' | 'last' | 'push' | 'addToSet' | 'count';

export interface Accumulator {
  /** Output field name. */
  readonly name: string;
  readonly op: AccumulatorOp;
  readonly expression: PipelineExpression;
}

export interface ProjectField {
  /** Output key (stored name, no dots unless the client wrote a dotted key). */
  readonly name: string;
  /**
   * `include` names a field to keep (mode `include`) or to drop (mode `exclude`); an expression computes
   * the field (mode `include` only).
   */
  readonly value: 'include' | PipelineExpression;
}

export interface PipelineSortKey {
  readonly path: readonly [string, ...string[]];
  readonly direction: 1 | -1;
}

export type PipelineStage =
  /**
   * `scope: 'object'`: a `$match` before any other stage, parsed like a `where` against the class schema
   * (Parse names). `scope: 'document'`: a later `$match`, whose paths are stored names of the documents
   * at that point of the pipeline.
   */
  | { readonly kind: 'match'; readonly scope: 'object' | 'document'; readonly condition: Condition }
  | {
      readonly kind: 'group';
      readonly id: PipelineExpression;
      readonly accumulators: readonly Accumulator[];
      /** Grouped by a pointer field: output ids lose their `Class$` prefix. */
      readonly idIsPointer: boolean;
    }
  | {
      readonly kind: 'project';
      readonly mode: 'include' | 'exclude';
      readonly fields: readonly ProjectField[];
      /** `_id: 0` / `_id: false`. */
      readonly excludeId: boolean;
    }
  | { readonly kind: 'sort'; readonly keys: readonly PipelineSortKey[] }
  | { readonly kind: 'limit'; readonly count: number }
  | { readonly kind: 'skip'; readonly count: number }
  | { readonly kind: 'count'; readonly field: string }
  | {
      readonly kind: 'unwind';
      readonly path: readonly [string, ...string[]];
      readonly includeArrayIndex?: string;
      readonly preserveNullAndEmptyArrays: boolean;
    }
  | { readonly kind: 'sample'; readonly size: number }
  /** Any other MongoDB stage (`$lookup`, `$facet`, `$addFields`, …), passed through as written. */
  | { readonly kind: 'native'; readonly name: string; readonly spec: unknown };

export type Pipeline = readonly PipelineStage[];
