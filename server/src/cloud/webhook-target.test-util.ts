/** Moved to testing/ so the permission matrix's webhook door (testing/) can use it too; this path stays for the cloud tests. */
export * from '../testing/webhook-target.test-util.js';
