import type { Collection, Document } from 'mongodb';
import { isPlainObject } from '../../../schema/index.js';
import type { ParseObjectValue, ParseValue } from '../../../schema/index.js';
import type { GlobalConfigChange, GlobalConfigData } from '../../aggregate-types.js';
import { decodeInterior, encodeInterior } from '../dialect/index.js';
import { sessionOption } from './context.js';
import type { MongoContext } from './context.js';

/**
 * Parse Config in parse-server's `_GlobalConfig` collection (spec/mongo-layout.md §3.11): one document
 * `{_id: 1 (int), params, masterKeyOnly}`, updated with dotted `$set` / `$unset` per key (an upsert).
 * Top-level parameter values are stored in REST form (a Date is `{__type:"Date", iso}`); dates nested
 * inside objects and arrays are BSON dates.
 */
interface GlobalConfigDocument extends Document {
  _id: number;
}

function collection(context: MongoContext): Collection<GlobalConfigDocument> {
  return context.db.collection<GlobalConfigDocument>(`${context.collectionPrefix}_GlobalConfig`);
}

function encodeParam(value: ParseValue): unknown {
  return value instanceof Date ? { __type: 'Date', iso: value.toISOString() } : encodeInterior(value);
}

export async function readGlobalConfig(context: MongoContext): Promise<GlobalConfigData> {
  const document = await collection(context).findOne({ _id: 1 }, sessionOption(context));
  const params: ParseObjectValue = {};
  const masterKeyOnly: Record<string, boolean> = {};
  const storedParams: unknown = document?.['params'];
  const storedFlags: unknown = document?.['masterKeyOnly'];
  if (isPlainObject(storedParams)) {
    for (const [key, raw] of Object.entries(storedParams)) params[key] = decodeInterior(raw);
  }
  if (isPlainObject(storedFlags)) {
    for (const [key, raw] of Object.entries(storedFlags)) masterKeyOnly[key] = raw === true;
  }
  return { params, masterKeyOnly };
}

export async function writeGlobalConfig(context: MongoContext, change: GlobalConfigChange): Promise<void> {
  const set: Document = {};
  const unset: Document = {};
  for (const [key, value] of Object.entries(change.set)) {
    set[`params.${key}`] = encodeParam(value);
    set[`masterKeyOnly.${key}`] = change.masterKeyOnly[key] === true;
  }
  for (const key of change.unset) {
    unset[`params.${key}`] = '';
    unset[`masterKeyOnly.${key}`] = '';
  }
  const update: Document = {};
  if (Object.keys(set).length > 0) update['$set'] = set;
  if (Object.keys(unset).length > 0) update['$unset'] = unset;
  if (Object.keys(update).length === 0) return;
  await collection(context).updateOne({ _id: 1 }, update, { upsert: true, ...sessionOption(context) });
}

/**
 * The GraphQL config in parse-server's `_GraphQLConfig` collection (spec/mongo-layout.md §3.12): one document
 * `{_id: 1 (int), config}`, whose `config` each update replaces (an upsert).
 */
function graphQLCollection(context: MongoContext): Collection<GlobalConfigDocument> {
  return context.db.collection<GlobalConfigDocument>(`${context.collectionPrefix}_GraphQLConfig`);
}

export async function readGraphQLConfig(context: MongoContext): Promise<Record<string, unknown>> {
  const document = await graphQLCollection(context).findOne({ _id: 1 }, sessionOption(context));
  const config: unknown = document?.['config'];
  return isPlainObject(config) ? config : {};
}

export async function writeGraphQLConfig(
  context: MongoContext,
  config: Readonly<Record<string, unknown>>,
): Promise<void> {
  await graphQLCollection(context).updateOne(
    { _id: 1 },
    { $set: { config } },
    { upsert: true, ...sessionOption(context) },
  );
}
