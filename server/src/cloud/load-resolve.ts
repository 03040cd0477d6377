/**
 * Lets cloud code import `@strata/server/cloud` and `@strata/server/testing` from a directory that has no
 * `@strata/server` installed (a `cloud/` directory mounted into a container, a temp directory, a checkout
 * next to the server): when the importing module cannot resolve the name itself, it resolves to the running
 * server's own module. A project that installs `@strata/server` keeps its own copy (both copies find the
 * loading app's registry through load-context's global). Installed once per process, on the first load.
 *
 * - ES modules (`.mjs`, `.ts`/`.js` under `"type": "module"`): a resolve hook through `module.register`,
 *   Node's supported customization API. The hook is a `data:` URL, so the same code works from the compiled
 *   server and from its TypeScript sources.
 * - CommonJS (`.cjs`, and `.ts` that tsx compiles to CommonJS when no `"type": "module"` applies): Node 20
 *   has no supported resolve hook for `require` (`module.registerHooks` arrived in 22.15), so `require`'s
 *   resolver, `Module._resolveFilename`, is wrapped — the same shim tsx itself installs — and falls back to
 *   the server's module only after the normal resolution failed with MODULE_NOT_FOUND.
 */
import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';

const INSTALLED = Symbol.for('strata.cloud.self-resolve');

/** The server's own entry points, as file URLs next to this module (`.ts` when running from sources). */
function serverModules(): Record<string, string> {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return {
    '@strata/server/cloud': new URL(`../cloud-api${extension}`, import.meta.url).href,
    '@strata/server/testing': new URL(`../cloud-testing${extension}`, import.meta.url).href,
  };
}

const ESM_HOOK = `
let targets = {};
export function initialize(data) { targets = data.targets; }
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const target = Object.hasOwn(targets, specifier) ? targets[specifier] : undefined;
    if (target === undefined || err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    return { url: target, shortCircuit: true };
  }
}
`;

type ResolveFilename = (request: string, ...rest: unknown[]) => string;

/** Installs both fallbacks once per process; later calls do nothing. */
export function installServerModuleResolution(): void {
  const holder = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (holder[INSTALLED] === true) return;
  holder[INSTALLED] = true;
  const targets = serverModules();
  register(`data:text/javascript,${encodeURIComponent(ESM_HOOK)}`, { data: { targets } });

  const paths = new Map(Object.entries(targets).map(([name, url]) => [name, fileURLToPath(url)]));
  const loader = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = loader._resolveFilename;
  loader._resolveFilename = function resolveFilename(this: unknown, request: string, ...rest: unknown[]): string {
    try {
      return original.call(this, request, ...rest);
    } catch (err) {
      const path = paths.get(request);
      if (path === undefined || (err as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw err;
      return path;
    }
  };
}
