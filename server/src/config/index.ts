/**
 * Config: every option declared once (name, type, default, env var, flag, description) and the typed
 * `Config` they produce. It does not read the environment: only `main.ts` does.
 */
export type { Config, ServerRole, LogLevel } from './config.js';
