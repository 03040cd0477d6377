/**
 * Class names unique to one test run, so suites can share an external server's database without
 * seeing each other's rows.
 */
import { randomBytes } from 'node:crypto';

export function uniqueClassName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
