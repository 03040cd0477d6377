/* global Parse -- cloud code runs with the Parse SDK as a global */
// Cloud code of the soak (bench/soak.js): a function of the mixed workload, a job started every second, and a
// master-only probe that reports this process's heap and active handles/timers (for the leak check).
Parse.Cloud.define('soakEcho', (request) => ({ echo: request.params.n ?? 0, user: request.user?.id ?? null }));

Parse.Cloud.job('soakJob', async (request) => {
  const mark = new Parse.Object('SoakJobMark');
  mark.set('n', Number(request.params.n ?? 0));
  await mark.save(null, { useMasterKey: true });
  return 'done';
});

Parse.Cloud.define('soakProcess', (request) => {
  if (!request.master) throw new Parse.Error(119, 'master key required');
  // Collect first when the server runs with --expose-gc, so the heap before and after compares live objects.
  if (typeof globalThis.gc === 'function') globalThis.gc();
  const resources = {};
  for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1;
  const memory = process.memoryUsage();
  return { rss: memory.rss, heapUsed: memory.heapUsed, resources };
});
