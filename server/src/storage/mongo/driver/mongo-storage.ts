import type { Document } from 'mongodb';
import { ErrorCode, ParseError } from '../../../errors/index.js';
import type { Condition } from '../../../query/index.js';
import { withoutDistanceOrder } from '../../../query/index.js';
import type {
  ClassLevelPermissions,
  ClassSchema,
  FieldDefinition,
  IndexOptions,
  IndexSpec,
  ParseValue,
} from '../../../schema/index.js';
import type {
  AggregateDocument,
  AggregateOptions,
  DistinctOptions,
  GlobalConfigChange,
  GlobalConfigData,
} from '../../aggregate-types.js';
import type {
  FindOptions,
  QueryHints,
  ReadPreferenceMode,
  RelationEdge,
  RequestIdClaim,
  RequestIdState,
  StorageAdapter,
  StoragePoolStats,
  StorageTransaction,
  StoredObject,
  UpdatedObject,
  UpdateSpec,
} from '../../adapter.js';
import { applyUpdate } from '../../apply-update.js';
import {
  decodeDocument,
  encodeDocument,
  keepKeys,
  searchProjection,
  sortDocument,
  toFilter,
  toSort,
  toUpdate,
} from '../dialect/index.js';
import { aggregate, distinct } from './aggregate.js';
import { collectionOf, sessionOption } from './context.js';
import type { MongoContext } from './context.js';
import {
  duplicateValueError,
  duplicatedFieldOf,
  findDuplicatedField,
  guard,
  guardQuery,
  isDuplicateKeyError,
  toStorageError,
} from './errors.js';
import { readGlobalConfig, readGraphQLConfig, writeGlobalConfig, writeGraphQLConfig } from './global-config.js';
import { initializeDefaults } from './initialize.js';
import { claimRequestId, completeRequestId, releaseRequestId } from './request-ids.js';
import { addRelation, hasRelationCondition, removeRelation, resolveRelations } from './relations.js';
import * as schemaStore from './schema-store.js';
import { hasSubQuery, resolveSubQueries } from './sub-queries.js';
import { withSearchIndexes } from './search-indexes.js';
import { supportsTransactions, TRANSACTIONS_UNAVAILABLE_MESSAGE } from './transactions.js';

/**
 * The MongoDB `StorageAdapter`: runs the dialect's filters, updates and documents through the driver.
 * One instance per connection pool; `transaction()` hands `work` a second instance bound to the
 * transaction's session.
 */
export class MongoStorage implements StorageAdapter {
  readonly kind = 'mongodb' as const;

  constructor(private readonly context: MongoContext) {}

  async initialize(): Promise<void> {
    await guard(() => initializeDefaults(this.context));
  }

  async ping(): Promise<void> {
    await guard(async () => {
      await this.context.db.command({ ping: 1 });
    });
  }

  poolStats(): StoragePoolStats {
    return this.context.pool?.stats() ?? { size: 0, inUse: 0, waiting: 0 };
  }

  async close(): Promise<void> {
    // A transaction's view shares the client with its parent, which owns it.
    if (this.context.session !== undefined) return;
    await this.context.client.close();
  }

  /** `subqueryReadPreference` applies to the pre-queries of `inQuery` / `select` conditions. */
  private async filter(
    schema: ClassSchema,
    where: Condition,
    hints: { readonly subqueryReadPreference?: ReadPreferenceMode } = {},
  ): Promise<Document> {
    const readPreference = hints.subqueryReadPreference;
    const withoutSubQueries = hasSubQuery(where)
      ? await resolveSubQueries(this.context, where, {
          filterOf: (subSchema, subWhere) => this.filter(subSchema, subWhere, hints),
          ...(readPreference === undefined ? {} : { readPreference }),
        })
      : where;
    const resolved = hasRelationCondition(withoutSubQueries)
      ? await resolveRelations(this.context, schema, withoutSubQueries)
      : withoutSubQueries;
    return toFilter(schema, resolved);
  }

  /** The driver options for a query's hints (`subqueryReadPreference` falls back to `readPreference`). */
  private queryOptions(hints: QueryHints): {
    options: { hint?: string | Document; comment?: string; readPreference?: ReadPreferenceMode; maxTimeMS?: number };
    subqueries: { subqueryReadPreference?: ReadPreferenceMode };
  } {
    const sub = hints.subqueryReadPreference ?? hints.readPreference;
    return {
      options: {
        ...(hints.hint === undefined ? {} : { hint: hints.hint as string | Document }),
        ...(hints.comment === undefined ? {} : { comment: hints.comment }),
        ...(hints.readPreference === undefined ? {} : { readPreference: hints.readPreference }),
        // The server stops the operation past it (MaxTimeMSExpired, mapped to 124 in errors.ts).
        ...(hints.maxTimeMs === undefined ? {} : { maxTimeMS: hints.maxTimeMs }),
      },
      subqueries: sub === undefined ? {} : { subqueryReadPreference: sub },
    };
  }

  async insert(options: { schema: ClassSchema; object: StoredObject }): Promise<void> {
    const document = encodeDocument(options.schema, options.object);
    const collection = collectionOf(this.context, options.schema.className);
    try {
      await collection.insertOne(document, sessionOption(this.context));
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw toStorageError(error);
      // Outside a transaction we may look for the colliding field when the server did not name it.
      const field =
        duplicatedFieldOf(error) ??
        (this.context.session === undefined ? await findDuplicatedField(collection, document) : undefined);
      throw duplicateValueError(field, error);
    }
  }

  /**
   * One atomic `findOneAndUpdate` returning the document as it was before; the state after is that document
   * with the same operators applied in memory (`apply-update.ts`, MongoDB's semantics), then put through the
   * document codec both ways so it has exactly the stored form a read would give. One round trip, and `before`
   * is exactly the state this update replaced, which a second read could not promise (FerretDB has no
   * transactions to pair them). The conformance suite checks `after` against a fresh read for every operator.
   */
  async updateOne(options: {
    schema: ClassSchema;
    where: Condition;
    update: UpdateSpec;
  }): Promise<UpdatedObject | null> {
    const { schema } = options;
    return guard(async () => {
      const document = await collectionOf(this.context, schema.className).findOneAndUpdate(
        await this.filter(schema, options.where),
        toUpdate(schema, options.update),
        { returnDocument: 'before', ...sessionOption(this.context) },
      );
      if (document === null) return null;
      const before = decodeDocument(schema, document);
      const after = decodeDocument(schema, encodeDocument(schema, applyUpdate(before, options.update)));
      return { before, after };
    });
  }

  async updateMany(options: { schema: ClassSchema; where: Condition; update: UpdateSpec }): Promise<number> {
    const { schema } = options;
    return guard(async () => {
      const result = await collectionOf(this.context, schema.className).updateMany(
        await this.filter(schema, options.where),
        toUpdate(schema, options.update),
        sessionOption(this.context),
      );
      return result.matchedCount;
    });
  }

  async deleteMany(options: { schema: ClassSchema; where: Condition }): Promise<number> {
    const { schema } = options;
    return guard(async () => {
      const result = await collectionOf(this.context, schema.className).deleteMany(
        await this.filter(schema, options.where),
        sessionOption(this.context),
      );
      return result.deletedCount;
    });
  }

  /**
   * `findOneAndDelete` until nothing matches: each object is removed atomically with the read of its last
   * state. One round trip per object, so meant for the few objects an operation deletes (one object, a
   * user's sessions); `deleteMany` is the bulk form.
   */
  async deleteReturning(options: { schema: ClassSchema; where: Condition }): Promise<StoredObject[]> {
    const { schema } = options;
    return guard(async () => {
      const collection = collectionOf(this.context, schema.className);
      const filter = await this.filter(schema, options.where);
      const deleted: StoredObject[] = [];
      for (;;) {
        const document = await collection.findOneAndDelete(filter, sessionOption(this.context));
        if (document === null) return deleted;
        deleted.push(decodeDocument(schema, document));
      }
    });
  }

  async find(options: FindOptions): Promise<StoredObject[]> {
    const { schema, keys } = options;
    // The driver reads limit 0 as "no limit"; ours means "nothing".
    if (options.limit === 0) return [];
    return guard(async () => {
      // `keys=$score` and `order=$score` use the text score; `$nearSphere` orders by itself (geo-text-filter.ts).
      const projection = searchProjection(schema, { keys, where: options.where });
      const hints = this.queryOptions(options);
      const filter = await this.filter(schema, options.where, hints.subqueries);
      const collection = collectionOf(this.context, schema.className);
      const documents = await withSearchIndexes(this.context, { schema, where: options.where }, () => {
        const cursor = collection.find(filter, {
          ...sessionOption(this.context),
          ...hints.options,
          ...(projection === undefined ? {} : { projection }),
        });
        const sort = sortDocument(schema, options.sort);
        if (sort !== undefined) cursor.sort(sort);
        if (options.skip !== undefined && options.skip > 0) cursor.skip(options.skip);
        if (options.limit !== undefined) cursor.limit(options.limit);
        return cursor.toArray();
      });
      return documents.map((document) => {
        const object = decodeDocument(schema, document);
        return projection === undefined ? keepKeys(object, keys) : object;
      });
    });
  }

  async count(options: { schema: ClassSchema; where: Condition } & QueryHints): Promise<number> {
    const { schema } = options;
    const hints = this.queryOptions(options);
    // MongoDB refuses `$nearSphere` in a count: count the equivalent `$geoWithin: {$centerSphere}`.
    const where = withoutDistanceOrder(options.where);
    return guard(async () => {
      const filter = await this.filter(schema, where, hints.subqueries);
      return withSearchIndexes(this.context, { schema, where }, () =>
        collectionOf(this.context, schema.className).countDocuments(filter, {
          ...sessionOption(this.context),
          ...hints.options,
        }),
      );
    });
  }

  /** From the collection's metadata (`estimatedDocumentCount`), not a scan. */
  async estimateCount(options: { schema: ClassSchema }): Promise<number> {
    return guard(() => collectionOf(this.context, options.schema.className).estimatedDocumentCount());
  }

  async explain(options: FindOptions): Promise<unknown> {
    const { schema } = options;
    return guard(async () => {
      const hints = this.queryOptions(options);
      const filter = await this.filter(schema, options.where, hints.subqueries);
      const cursor = collectionOf(this.context, schema.className).find(filter, {
        ...sessionOption(this.context),
        ...hints.options,
      });
      const sort = toSort(schema, options.sort);
      if (sort !== undefined) cursor.sort(sort);
      if (options.skip !== undefined && options.skip > 0) cursor.skip(options.skip);
      if (options.limit !== undefined && options.limit > 0) cursor.limit(options.limit);
      return cursor.explain('queryPlanner');
    });
  }

  // ---- aggregate, distinct, Parse Config ----

  async aggregate(options: AggregateOptions): Promise<AggregateDocument[]> {
    return guardQuery(() =>
      aggregate(this.context, { ...options, filter: (schema, where) => this.filter(schema, where) }),
    );
  }

  async distinct(options: DistinctOptions): Promise<ParseValue[]> {
    return guardQuery(() =>
      distinct(this.context, { ...options, filter: (schema, where) => this.filter(schema, where) }),
    );
  }

  async getGlobalConfig(): Promise<GlobalConfigData> {
    return guard(() => readGlobalConfig(this.context));
  }

  async updateGlobalConfig(change: GlobalConfigChange): Promise<void> {
    await guard(() => writeGlobalConfig(this.context, change));
  }

  async getGraphQLConfig(): Promise<Record<string, unknown>> {
    return guard(() => readGraphQLConfig(this.context));
  }

  async setGraphQLConfig(config: Readonly<Record<string, unknown>>): Promise<void> {
    await guard(() => writeGraphQLConfig(this.context, config));
  }

  async claimRequestId(claim: RequestIdClaim): Promise<RequestIdState> {
    return guard(() => claimRequestId(this.context, claim));
  }

  async completeRequestId(options: { reqId: string; token: string; response: string | undefined }): Promise<void> {
    await guard(() => completeRequestId(this.context, options));
  }

  async releaseRequestId(options: { reqId: string; token: string }): Promise<void> {
    await guard(() => releaseRequestId(this.context, options));
  }

  async addRelation(edge: RelationEdge): Promise<void> {
    await guard(() => addRelation(this.context, edge));
  }

  async removeRelation(edge: RelationEdge): Promise<void> {
    await guard(() => removeRelation(this.context, edge));
  }

  async transaction<T>(work: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    // Nested calls join the transaction already running.
    if (this.context.session !== undefined) return work({ storage: this });
    if (!(await guard(() => supportsTransactions(this.context)))) {
      throw new ParseError(ErrorCode.COMMAND_UNAVAILABLE, {
        message: TRANSACTIONS_UNAVAILABLE_MESSAGE,
      });
    }
    const session = this.context.client.startSession();
    try {
      // Started and committed by hand rather than with `withTransaction`, which would re-run `work`
      // (and any side effects in it) on transient errors.
      session.startTransaction();
      const storage = new MongoStorage({ ...this.context, session });
      let result: T;
      try {
        result = await work({ storage });
        await session.commitTransaction();
      } catch (error) {
        if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
        throw toStorageError(error);
      }
      return result;
    } finally {
      await session.endSession().catch(() => undefined);
    }
  }

  async loadSchemas(): Promise<ClassSchema[]> {
    return guard(() => schemaStore.loadSchemas(this.context));
  }

  async createClass(schema: ClassSchema): Promise<void> {
    await guard(() => schemaStore.createClass(this.context, schema));
  }

  async addFields(options: { className: string; fields: Readonly<Record<string, FieldDefinition>> }): Promise<void> {
    await guard(() => schemaStore.addFields(this.context, options));
  }

  async deleteFields(options: { schema: ClassSchema; fieldNames: readonly string[] }): Promise<void> {
    await guard(() => schemaStore.deleteFields(this.context, options));
  }

  async setClassLevelPermissions(options: {
    className: string;
    classLevelPermissions: ClassLevelPermissions;
  }): Promise<void> {
    await guard(() => schemaStore.setClassLevelPermissions(this.context, options));
  }

  async createIndex(options: {
    schema: ClassSchema;
    name: string;
    spec: IndexSpec;
    options?: IndexOptions;
  }): Promise<void> {
    await guard(() => schemaStore.createIndex(this.context, options));
  }

  async dropIndex(options: { className: string; name: string }): Promise<void> {
    await guard(() => schemaStore.dropIndex(this.context, options));
  }

  async deleteClass(options: { schema: ClassSchema }): Promise<void> {
    await guard(() => schemaStore.deleteClass(this.context, options));
  }
}
