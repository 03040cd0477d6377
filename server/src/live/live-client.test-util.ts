/** Moved to testing/ so the permission matrix's LiveQuery door (testing/) can use it too; this path stays for the live tests. */
export * from '../testing/live-client.test-util.js';
