// The mongo service's healthcheck: initiates the one-node replica set the first time (idempotent), and
// reports healthy only once this node is the writable primary, so the app servers start against a
// database that accepts writes.
try {
  rs.status();
} catch (err) {
  if (err.codeName !== 'NotYetInitialized') throw err;
  rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: 'mongo:27017' }] });
}
if (!db.hello().isWritablePrimary) quit(1);
