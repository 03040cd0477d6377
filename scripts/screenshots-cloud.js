/* global Parse -- cloud code runs with the Parse SDK as a global */
// Demo cloud code for `npm run screenshots` (scripts/screenshots.js): a function, a trigger and a job with
// log lines, so the Cloud code, Jobs and Logs pages have something to show.
Parse.Cloud.define('hello', (request) => `Hello, ${String(request.params.name ?? 'world')}!`);

Parse.Cloud.beforeSave('Game', (request) => {
  if (Number(request.object.get('score') ?? 0) < 0) throw new Parse.Error(142, 'A score cannot be negative.');
});

Parse.Cloud.job('recountScores', async (request) => {
  request.log.info('recounting scores');
  const count = await new Parse.Query('Game').count({ useMasterKey: true });
  request.message(`${count} games counted`);
  request.log.info(`recount finished: ${count} games`);
  return count;
});
