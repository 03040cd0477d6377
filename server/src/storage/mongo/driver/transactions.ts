import type { MongoContext } from './context.js';

/**
 * Whether the server can run multi-document transactions: only replica-set members and mongos can.
 * FerretDB 1.x and standalone mongod answer `hello` without `setName`.
 */

export const TRANSACTIONS_UNAVAILABLE_MESSAGE =
  'Transactions need a MongoDB replica set (or a sharded cluster); this server is standalone or does not support them.';

async function askServer(context: MongoContext): Promise<boolean> {
  const hello = await context.db.admin().command({ hello: 1 });
  return typeof hello['setName'] === 'string' || hello['msg'] === 'isdbgrid';
}

/** Asked once per adapter; a failed question is asked again next time. */
export async function supportsTransactions(context: MongoContext): Promise<boolean> {
  const asked = (context.capabilities.transactions ??= askServer(context));
  try {
    return await asked;
  } catch (error) {
    if (context.capabilities.transactions === asked) delete context.capabilities.transactions;
    throw error;
  }
}
