import type { Collection } from './collection.js';
import { createCollection } from './collection.js';
import type { ClientOptions, RequestOptions } from './transport.js';
import { sendRequest } from './transport.js';

/**
 * The SDK entry point: one client per server and set of credentials.
 */
export interface StrataClient {
  readonly options: ClientOptions;
  /** Typed access to one class. */
  collection<T extends object>(className: string): Collection<T>;
  /** A raw REST call for endpoints the SDK does not wrap yet. */
  request(request: RequestOptions): Promise<unknown>;
  /** The same server with other credentials (e.g. after logging in). */
  with(changes: Partial<Pick<ClientOptions, 'sessionToken' | 'masterKey' | 'clientKey'>>): StrataClient;
}

/**
 * Creates a client.
 *
 * @example
 * const client = createClient({ serverURL: 'http://localhost:1337/parse', appId: 'myApp', clientKey: 'key' });
 * const scores = client.collection<{ player: string; score: number }>('GameScore');
 * const { objectId } = await scores.create({ player: 'Sean', score: 1337 });
 * const top = await scores.find({ where: { score: { $gt: 1000 } }, order: '-score', limit: 10 });
 */
export function createClient(options: ClientOptions): StrataClient {
  const frozen = Object.freeze({ ...options });
  return {
    options: frozen,
    collection: <T extends object>(className: string) => createCollection<T>(frozen, className),
    request: (request) => sendRequest(frozen, request),
    with: (changes) => createClient({ ...frozen, ...changes }),
  };
}
