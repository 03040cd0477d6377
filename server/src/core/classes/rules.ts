import type { Auth } from '../../auth/index.js';
import type { WriteInput } from '../write-input.js';

/** Hooks a system class plugs into the generic operations. */
export interface ClassRules {
  beforeWrite?(options: { auth: Auth; input: WriteInput; isCreate: boolean }): void;
  beforeDelete?(options: { auth: Auth }): void;
}
