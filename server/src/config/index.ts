/**
 * Config: every option declared once (name, type, default, env var, flag, description), the parser that
 * merges defaults < config file < env < flags into one frozen `Config`, first-start key generation, and the
 * generated `--help` text and README table. It does not read the environment, argv or files: only `main.ts`
 * does, and passes what it read in.
 */
export type { Config, ServerRole, LogLevel } from './config.js';
export { OPTIONS, CONFIG_FILE_OPTION, findOptionByFlag } from './options.js';
export type { AnyOptionDeclaration, OptionDeclaration, OptionKey, OptionGroup, DefaultContext } from './options.js';
export { parseCommandLine } from './command-line.js';
export type { Command, CommandLine } from './command-line.js';
export { resolveOptions } from './resolve.js';
export type { ConfigSources, ResolvedOptions } from './resolve.js';
export {
  KEYS_FILE_NAME,
  applyGeneratedKeys,
  createGeneratedKeys,
  needsGeneratedKeys,
  parseKeysFile,
  requireConfiguredKeys,
} from './generated-keys.js';
export type { GeneratedKeys } from './generated-keys.js';
export { renderHelp } from './help.js';
export { ENV_FILE_SECRETS, renderEnvFile } from './env-file.js';
export type { EnvFileSettings } from './env-file.js';
export { README_TABLE_END, README_TABLE_START, renderOptionsTable, spliceOptionsTable } from './docs-table.js';
export { accountLockoutKind, authProvidersKind, passwordPolicyKind } from './user-policy-kinds.js';
export { protectedFieldsKind } from './protected-fields-kind.js';
export type { ProtectedFieldsSetting } from './protected-fields-kind.js';
export { dashboardAppsKind } from './dashboard-apps-kind.js';
export type { DashboardAppSetting } from './dashboard-apps-kind.js';
export type {
  AccountLockoutSettings,
  AuthProviderOptionSettings,
  PasswordPolicySettings,
} from './user-policy-kinds.js';
