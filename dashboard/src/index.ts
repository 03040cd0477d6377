/**
 * @strata/dashboard: a tiny static admin page that lists an app's classes via `GET /schemas` with the master
 * key. `public/index.html` loads the compiled `dist/main.js`. It does not edit data or schemas yet.
 */
export { escapeHtml, renderClassList, summarizeSchemas } from './render.js';
export type { ClassSummary } from './render.js';
export { startDashboard } from './main.js';
