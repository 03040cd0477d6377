import { Worker } from 'node:worker_threads';

/**
 * Starts one of this folder's thread entries (`read-worker`, `checkpoint-worker`): built, the `.js` file beside this
 * one; run from source (tests, tsx), the `.ts` file behind a line that registers tsx in the thread first (a loader
 * given to the main thread does not reach it).
 */
export function startThread(entry: 'read-worker' | 'checkpoint-worker', workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${entry}.js`, import.meta.url), { workerData });
  const source = new URL(`./${entry}.ts`, import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
