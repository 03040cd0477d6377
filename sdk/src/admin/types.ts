/** The shapes the admin API reads and writes, in Parse's REST JSON (spec: rest.md §14, security.md §4). */

export type FieldType =
  | 'String'
  | 'Number'
  | 'Boolean'
  | 'Date'
  | 'Object'
  | 'Array'
  | 'GeoPoint'
  | 'File'
  | 'Bytes'
  | 'Polygon'
  | 'Pointer'
  | 'Relation'
  | 'ACL';

export interface SchemaField {
  readonly type: FieldType;
  readonly targetClass?: string;
  readonly required?: boolean;
  readonly defaultValue?: unknown;
}

/** `{ "*": true, "role:Admin": true, "<userId>": true, "requiresAuthentication": true, "pointerFields": [...] }` */
export type PermissionEntry = Readonly<Record<string, boolean | readonly string[]>>;

export interface ClassLevelPermissions {
  readonly find?: PermissionEntry;
  readonly count?: PermissionEntry;
  readonly get?: PermissionEntry;
  readonly create?: PermissionEntry;
  readonly update?: PermissionEntry;
  readonly delete?: PermissionEntry;
  readonly addField?: PermissionEntry;
  readonly readUserFields?: readonly string[];
  readonly writeUserFields?: readonly string[];
  readonly protectedFields?: Readonly<Record<string, readonly string[]>>;
  readonly ACL?: Readonly<Record<string, { read?: boolean; write?: boolean }>>;
}

export type IndexSpec = Readonly<Record<string, 1 | -1 | 'text' | '2dsphere'>>;

export interface ClassSchema {
  readonly className: string;
  readonly fields: Readonly<Record<string, SchemaField>>;
  readonly classLevelPermissions?: ClassLevelPermissions;
  readonly indexes?: Readonly<Record<string, IndexSpec>>;
}

/** An object as REST returns it: `objectId`, bare ISO `createdAt`/`updatedAt`, `__type` values. */
export type RestObject = {
  readonly objectId: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
} & Readonly<Record<string, unknown>>;

export interface FindOptions {
  readonly where?: Readonly<Record<string, unknown>>;
  /** Parse's `order`: `"-score,name"`. */
  readonly order?: string;
  readonly limit?: number;
  readonly skip?: number;
  readonly keys?: string;
  readonly include?: string;
  readonly signal?: AbortSignal;
}

export interface ConfigParams {
  readonly params: Readonly<Record<string, unknown>>;
  readonly masterKeyOnly?: Readonly<Record<string, boolean>>;
}

export interface HookFunction {
  readonly functionName: string;
  readonly url: string;
}

export interface HookTrigger {
  readonly className: string;
  readonly triggerName: string;
  readonly url: string;
}

export interface LogEntry {
  readonly timestamp: string;
  readonly level: string;
  readonly message: string;
  readonly requestId?: string;
  readonly [key: string]: unknown;
}

export interface LogQuery {
  /** `error`, `warn`, `info`, `debug` (Parse's names; `verbose`/`silly` map to debug). */
  readonly level?: string;
  readonly size?: number;
  readonly order?: 'asc' | 'desc';
  readonly from?: Date;
  readonly until?: Date;
  readonly requestId?: string;
  /** A job run's `_JobStatus` id: the lines its `request.log` wrote (Strata only). */
  readonly jobId?: string;
  readonly signal?: AbortSignal;
}

export interface ServerInfo {
  readonly parseServerVersion: string;
  readonly features: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly [key: string]: unknown;
}

export interface PushBody {
  readonly where?: Readonly<Record<string, unknown>>;
  readonly channels?: readonly string[];
  readonly data: Readonly<Record<string, unknown>>;
  readonly push_time?: string;
  readonly expiration_time?: string;
  readonly expiration_interval?: number;
  readonly audience_id?: string;
}

export interface SlowQuery {
  readonly className: string;
  /** The query's shape: where keys and operators, sort; no values. */
  readonly shape: string;
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
  readonly lastAt: string;
  readonly indexed: boolean | null;
  readonly plan?: string;
  /** An index that would serve it (field → direction). */
  readonly suggestedIndex?: Readonly<Record<string, 1 | -1>>;
}

/** One class's object count from `GET /classCounts` (Strata only). */
export interface ClassCount {
  readonly className: string;
  readonly count: number;
  /** The database's estimate (large classes): `objects.count` gives the exact number. */
  readonly estimated: boolean;
}

/** One stored file from `GET /fileList` (Strata only). */
export interface StoredFile {
  readonly name: string;
  readonly url: string;
  readonly size?: number;
  readonly contentType?: string;
  readonly lastModified?: string;
}

/** A page of `GET /fileList`: pass `next` as `after` for the following page (absent: the last page). */
export interface FilePage {
  readonly results: StoredFile[];
  readonly next?: string;
}

/** `GET /cloud_code/registry` (Strata only): what cloud code registered, by name. */
export interface CloudCodeListing {
  readonly functions: ReadonlyArray<{ readonly name: string; readonly source: string }>;
  readonly triggers: ReadonlyArray<{
    readonly className: string;
    readonly triggerName: string;
    readonly source: string;
  }>;
  readonly jobs: ReadonlyArray<{ readonly name: string; readonly source: string; readonly schedule?: string }>;
}
