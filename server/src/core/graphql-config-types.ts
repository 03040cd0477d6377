/**
 * Parse's GraphQL config (`_GraphQLConfig`, spec/graphql.md §1, rest.md `/graphql-config`): which classes the
 * generated GraphQL API exposes and, per class, which fields its types carry and which queries and mutations
 * it gets. Read and replaced with the master key only (the read-only master key may read it); the whole
 * object is replaced on each update, as parse-server `$set`s its `config`. A change is announced to every
 * server (the schema is built from it), through the cache `app.ts` keeps coherent over pub/sub.
 *
 * It shapes the GraphQL door only: REST, LiveQuery and cloud code still reach every class under its CLP/ACL.
 */
export interface GraphQLClassConfig {
  readonly className: string;
  readonly type?: {
    readonly inputFields?: { readonly create?: readonly string[]; readonly update?: readonly string[] };
    readonly outputFields?: readonly string[];
    readonly constraintFields?: readonly string[];
    readonly sortFields?: readonly { readonly field: string; readonly asc: boolean; readonly desc: boolean }[];
  };
  readonly query?: {
    readonly get?: boolean;
    readonly find?: boolean;
    readonly getAlias?: string;
    readonly findAlias?: string;
  };
  readonly mutation?: {
    readonly create?: boolean;
    readonly update?: boolean;
    readonly destroy?: boolean;
    readonly createAlias?: string;
    readonly updateAlias?: string;
    readonly destroyAlias?: string;
  };
}

export interface GraphQLConfig {
  readonly enabledForClasses?: readonly string[];
  readonly disabledForClasses?: readonly string[];
  readonly classConfigs?: readonly GraphQLClassConfig[];
}

/** The stored config, cached per server; `changed()` after this server wrote it. */
export interface GraphQLConfigSource {
  get(): Promise<GraphQLConfig>;
  changed(): void;
}
