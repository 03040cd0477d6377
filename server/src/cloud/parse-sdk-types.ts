/**
 * The slice of the official Parse JS SDK (`parse/node`) the compatibility layer uses, typed narrowly: the
 * SDK's own typings describe its public API, while the adapter also needs a few of its documented internals
 * (`_getSaveJSON`, `_encode`, `_decode`) that parse-server relies on as well.
 */
export interface SdkRequestOptions {
  useMasterKey?: boolean;
  sessionToken?: string;
  installationId?: string;
  context?: unknown;
  returnStatus?: boolean;
}

export interface SdkRestController {
  request(method: string, path: string, data: unknown, options?: SdkRequestOptions): Promise<unknown>;
  ajax(...args: unknown[]): Promise<unknown>;
  handleError(error: unknown): Promise<never>;
}

export interface SdkObject {
  readonly className: string;
  id: string | undefined;
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  dirtyKeys(): string[];
  toJSON(): Record<string, unknown>;
  _getSaveJSON(): Record<string, unknown>;
}

export interface SdkUser extends SdkObject {
  getSessionToken(): string | undefined;
}

export interface SdkQuery {
  readonly className: string;
  toJSON(): Record<string, unknown>;
}

export interface SdkErrorConstructor {
  new (code: number, message?: string): Error & { code: number };
  readonly INVALID_JSON: number;
  readonly SCRIPT_FAILED: number;
}

export interface ParseSdk {
  readonly CoreManager: {
    get(key: string): unknown;
    getRESTController(): SdkRestController;
    setRESTController(controller: SdkRestController): void;
  };
  readonly Object: {
    new (className: string): SdkObject;
    fromJSON(json: Record<string, unknown>, override?: boolean, dirty?: boolean): SdkObject;
    readonly prototype: SdkObject;
  };
  readonly Query: {
    new (className: string): SdkQuery;
    fromJSON(className: string, json: Record<string, unknown>): SdkQuery;
    readonly prototype: SdkQuery;
  };
  readonly User: { readonly prototype: SdkUser };
  readonly File: { fromJSON(json: Record<string, unknown>): unknown; readonly prototype: object };
  readonly Error: SdkErrorConstructor;
  readonly Cloud: Record<string, unknown>;
  applicationId: string | null | undefined;
  masterKey: string | null | undefined;
  initialize(applicationId: string, javaScriptKey?: string, masterKey?: string): void;
  _encode(value: unknown): unknown;
  _decode(className: unknown, value: unknown): unknown;
}
