// Runs once, when MongoDB's volume is first initialised (mounted in /docker-entrypoint-initdb.d): the user
// Strata connects as, with read/write on its own database only. The root user (MONGO_ROOT_USER) is kept for
// administration: backups, the replica set, upgrades.
const database = process.env.MONGO_DATABASE;
const user = process.env.MONGO_APP_USER;
const password = process.env.MONGO_APP_PASSWORD;
if (!database || !user || !password) {
  throw new Error('MONGO_DATABASE, MONGO_APP_USER and MONGO_APP_PASSWORD must be set (strata init-env writes them)');
}
db.getSiblingDB(database).createUser({
  user,
  pwd: password,
  roles: [{ role: 'readWrite', db: database }],
});
