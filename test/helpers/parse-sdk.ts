/**
 * Points the official Parse JS SDK (a process-wide singleton) at a compat target. With
 * `STRATA_COMPAT_TRACE=1`, every SDK request and its outcome is written to stderr, which is how failures
 * are reported as "request sent / response received".
 */
import ParseModule from 'parse/node';

// The runtime default export of `parse/node` is the SDK object itself, but its typings describe a
// namespace whose `default` is that object; this line reconciles the two.
const Parse = ParseModule as unknown as typeof ParseModule.default;

export type ParseSDK = typeof Parse;

interface Target {
  serverURL: string;
  appId: string;
  masterKey: string;
  javascriptKey: string;
}

interface RestController {
  request(method: string, path: string, data: unknown, options?: unknown): Promise<unknown>;
  ajax(...args: unknown[]): Promise<unknown>;
}

function isRestController(value: unknown): value is RestController {
  return (
    typeof value === 'object' &&
    value !== null &&
    'request' in value &&
    typeof value.request === 'function' &&
    'ajax' in value &&
    typeof value.ajax === 'function'
  );
}

function describeError(err: unknown): string {
  if (err instanceof Parse.Error) return JSON.stringify({ code: err.code, error: err.message });
  return String(err);
}

function installTrace(sdk: ParseSDK): void {
  const current: unknown = sdk.CoreManager.getRESTController();
  if (!isRestController(current) || 'strataTraced' in current) return;
  const inner = current;
  const traced = {
    strataTraced: true,
    ajax: (...args: unknown[]) => inner.ajax(...args),
    // The SDK calls this positionally (method, path, data, options), so the arguments are passed on as given.
    async request(...args: Parameters<RestController['request']>) {
      const [method, path, data] = args;
      const sent = `${method} ${path} ${JSON.stringify(data ?? null)}`;
      try {
        const result = await inner.request(...args);
        process.stderr.write(`[compat] ${sent}\n[compat]   -> ${JSON.stringify(result)}\n`);
        return result;
      } catch (err) {
        process.stderr.write(`[compat] ${sent}\n[compat]   -> ERROR ${describeError(err)}\n`);
        throw err;
      }
    },
  };
  sdk.CoreManager.setRESTController(traced as unknown as Parameters<typeof sdk.CoreManager.setRESTController>[0]);
}

/** Initializes the SDK for `target` (master key available but only used with `{ useMasterKey: true }`). */
export function useParse(target: Target): ParseSDK {
  Parse.initialize(target.appId, target.javascriptKey, target.masterKey);
  Parse.serverURL = target.serverURL;
  if (process.env['STRATA_COMPAT_TRACE'] === '1') installTrace(Parse);
  return Parse;
}

export interface RestResult {
  status: number;
  body: unknown;
  location: string | null;
}

/** A raw REST call with header credentials, for wire details the SDK hides (status codes, headers). */
export async function rest(
  target: Target,
  options: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; body?: unknown; useMasterKey?: boolean },
): Promise<RestResult> {
  const headers: Record<string, string> = {
    'X-Parse-Application-Id': target.appId,
    'X-Parse-Javascript-Key': target.javascriptKey,
    'Content-Type': 'application/json',
  };
  if (options.useMasterKey) headers['X-Parse-Master-Key'] = target.masterKey;
  const response = await fetch(`${target.serverURL}${options.path}`, {
    method: options.method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the raw text: some error bodies are not JSON
  }
  return { status: response.status, body, location: response.headers.get('location') };
}
