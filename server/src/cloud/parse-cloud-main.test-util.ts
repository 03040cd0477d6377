/** The cloud code (main.js) parse-cloud.test.ts loads: every part of Parse.Cloud it exercises. */
export const MAIN_JS = `
Parse.Cloud.define('requestFields', (request) => ({
  master: request.master,
  user: request.user ? request.user.getUsername() : null,
  installationId: request.installationId ?? null,
  header: request.headers['x-custom'] ?? null,
  context: request.context,
  functionName: request.functionName,
  params: request.params,
}));
Parse.Cloud.define('withStatus', (request, response) => {
  response.status(201).header('X-Extra', 'yes').success({ ok: true });
});
Parse.Cloud.define('failWithStatus', (request, response) => {
  response.status(409);
  response.error(new Parse.Error(137, 'Already taken.'));
});
Parse.Cloud.define('typed', (request) => request.params.n * 2, { fields: { n: { type: Number, required: true } } });
Parse.Cloud.define('fnValidator', () => 'ok', (request) => {
  if (!request.params.token) throw 'A token, please.';
});
Parse.Cloud.define('countPrivate', async (request) => ({
  asUser: await new Parse.Query('Private').count({ sessionToken: request.user.getSessionToken() }),
  asMaster: await new Parse.Query('Private').count({ useMasterKey: true }),
  anonymous: await new Parse.Query('Private').count(),
}), { requireUser: true });
Parse.Cloud.define('logSomething', (request) => {
  request.log.info({ marker: 'cloud-log-marker' }, 'from cloud code');
  console.log('console from cloud code: %s', 42);
  return 'logged';
});
Parse.Cloud.define('callOther', async () => Parse.Cloud.run('typed', { n: 21 }));
Parse.Cloud.define('mail', async (request) => {
  await Parse.Cloud.sendEmail({ to: request.params.to, subject: 'Hi', text: 'Hello there' });
  return 'sent';
});
Parse.Cloud.define('bulk', async () => {
  const objects = [1, 2, 3].map((i) => new Parse.Object('Bulk', { i }));
  await Parse.Object.saveAll(objects, { useMasterKey: true });
  return new Parse.Query('Bulk').count({ useMasterKey: true });
});
Parse.Cloud.define('fetchIt', async (request) => {
  const response = await Parse.Cloud.httpRequest({ url: request.params.url, method: 'POST', body: { a: 1 } });
  return { status: response.status, data: response.data };
});
Parse.Cloud.define('fetchFollowing', async (request) => {
  const response = await Parse.Cloud.httpRequest({ url: request.params.url, followRedirects: true });
  return { status: response.status, data: response.data };
});
Parse.Cloud.define('saveFile', async () => {
  const file = new Parse.File('hello.txt', { base64: Buffer.from('hello world').toString('base64') }, 'text/plain');
  await file.save({ useMasterKey: true });
  const holder = new Parse.Object('Holder');
  holder.set('file', file);
  await holder.save(null, { useMasterKey: true });
  return { name: file.name(), holder: holder.id };
});
Parse.Cloud.job('countJob', async (request) => {
  await request.message('counting');
  return 'counted ' + request.params.n;
});

Parse.Cloud.beforeFind('Canned', async (request) => {
  // The query below runs this trigger too: the context it carries tells the inner run apart.
  if (request.context.inner === true) return;
  const featured = new Parse.Query('Canned');
  featured.equalTo('featured', true);
  return featured.find({ useMasterKey: true, context: { inner: true } });
});
Parse.Cloud.afterFind('Shown', (request) =>
  request.objects.filter((object) => !object.get('secret')).map((object) => {
    object.set('seen', true);
    return object;
  }),
);

Parse.Cloud.beforeSave(Parse.User, (request) => {
  if (request.object.get('username') === 'reserved') throw 'That username is reserved.';
  if (!request.original) request.object.set('nickname', request.object.get('username').toUpperCase());
});
Parse.Cloud.beforeLogin((request) => {
  if (request.object.get('banned') === true) throw new Parse.Error(101, 'Banned.');
});
Parse.Cloud.afterLogin(async (request) => {
  const event = new Parse.Object('LoginEvent');
  event.set('username', request.object.get('username'));
  event.set('sameUser', request.user.id === request.object.id);
  await event.save(null, { useMasterKey: true });
});
Parse.Cloud.afterLogout(async (request) => {
  const event = new Parse.Object('LogoutEvent');
  event.set('sessionClass', request.object.className);
  await event.save(null, { useMasterKey: true });
});

Parse.Cloud.beforeSave(Parse.File, (request) => {
  if (request.file.name().endsWith('.exe')) throw 'No executables.';
});
Parse.Cloud.beforeSave(Parse.Config, (request) => {
  if (request.object.get('mode') === 'broken' && request.original.get('mode') === 'ok') {
    throw new Parse.Error(142, 'Not that mode.');
  }
});

Parse.Cloud.beforeSave('Counter', (request) => {
  const dirty = request.object.dirtyKeys().sort().join(',');
  request.object.set('dirty', dirty);
  request.object.increment('saves');
  if (request.object.get('temp') !== undefined) request.object.unset('temp');
});

Parse.Cloud.beforeDelete('Keep', () => {
  throw new Parse.Error(119, 'Keep objects stay.');
});
Parse.Cloud.afterDelete('Gone', async (request) => {
  const event = new Parse.Object('DeleteEvent');
  event.set('deletedId', request.object.id);
  await event.save(null, { useMasterKey: true });
});
`;
