import type { FieldPath, Condition, Pipeline } from '../query/index.js';
import type { ClassSchema, ParseValue } from '../schema/index.js';

/** What `StorageAdapter.aggregate` runs: a validated pipeline over one class. */
export interface AggregateOptions {
  readonly schema: ClassSchema;
  readonly pipeline: Pipeline;
  /** The read's time budget (`--master-query-time-limit` for the master key): past it, 124. */
  readonly maxTimeMs?: number;
}

/**
 * One output document of a pipeline, in the pipeline's stored names (`_id`, `_created_at`, `_p_owner`
 * holding `Class$id`) with values in the normalized form. `core` maps it back to Parse names.
 */
export type AggregateDocument = Record<string, ParseValue>;

/** What `StorageAdapter.distinct` runs: the distinct values of one field among the matching objects. */
export interface DistinctOptions {
  readonly schema: ClassSchema;
  readonly where: Condition;
  /** Parse names (`owner`, `meta.color`); array values count per element, as in MongoDB. */
  readonly field: FieldPath;
  /** As `AggregateOptions.maxTimeMs`. */
  readonly maxTimeMs?: number;
}

/** Parse Config (`_GlobalConfig`): parameter values in the normalized form, and which are master-only. */
export interface GlobalConfigData {
  readonly params: Readonly<Record<string, ParseValue>>;
  readonly masterKeyOnly: Readonly<Record<string, boolean>>;
}

/** One `PUT /config`: keys to set (with their masterKeyOnly flag) and keys to remove. */
export interface GlobalConfigChange {
  readonly set: Readonly<Record<string, ParseValue>>;
  readonly masterKeyOnly: Readonly<Record<string, boolean>>;
  readonly unset: readonly string[];
}
