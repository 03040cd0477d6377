import { useState } from 'react';
import type { ReactNode } from 'react';
import { useApp } from '../app-context.js';
import { navigate, routeHref } from '../router.js';
import { Browser } from '../pages/Browser.js';
import { Overview } from '../pages/Overview.js';
import { Logs } from '../pages/Logs.js';
import { Schema } from '../pages/Schema.js';
import { Users } from '../pages/Users.js';
import { Config } from '../pages/Config.js';
import { Webhooks } from '../pages/Webhooks.js';
import { CloudCode } from '../pages/CloudCode.js';
import { Jobs } from '../pages/Jobs.js';
import { SlowQueries } from '../pages/SlowQueries.js';
import { Push } from '../pages/Push.js';
import { Files } from '../pages/Files.js';
import { ApiConsole } from '../pages/ApiConsole.js';

/** The pages, in navigation order. */
const PAGES: ReadonlyArray<{ id: string; label: string; render: () => ReactNode }> = [
  { id: 'overview', label: 'Overview', render: () => <Overview /> },
  { id: 'browser', label: 'Data browser', render: () => <Browser /> },
  { id: 'schema', label: 'Schema', render: () => <Schema /> },
  { id: 'users', label: 'Users and sessions', render: () => <Users /> },
  { id: 'cloud', label: 'Cloud code', render: () => <CloudCode /> },
  { id: 'jobs', label: 'Jobs', render: () => <Jobs /> },
  { id: 'push', label: 'Push', render: () => <Push /> },
  { id: 'files', label: 'Files', render: () => <Files /> },
  { id: 'config', label: 'Config', render: () => <Config /> },
  { id: 'webhooks', label: 'Webhooks', render: () => <Webhooks /> },
  { id: 'logs', label: 'Logs', render: () => <Logs /> },
  { id: 'console', label: 'API console', render: () => <ApiConsole /> },
  { id: 'slow-queries', label: 'Slow queries', render: () => <SlowQueries /> },
];

export function Shell(props: { onSignOut: () => void }) {
  const { app, apps, session, route } = useApp();
  const [menuOpen, setMenuOpen] = useState(false);
  const page = PAGES.find((p) => p.id === route.page) ?? PAGES[0];
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <span className="brand">Strata</span>
        <label className="app-picker">
          <span className="visually-hidden">App</span>
          <select
            value={app.appId}
            onChange={(e) => navigate(routeHref({ appId: e.target.value, page: route.page }))}
            aria-label="App"
          >
            {apps.map((a) => (
              <option key={a.appId} value={a.appId}>
                {a.appName}
                {a.local ? ' (this server)' : ''}
              </option>
            ))}
          </select>
        </label>
        <span className="user" aria-label="Signed in as">
          {session.username}
          {session.readOnly && <span className="badge">read-only</span>}
        </span>
        <button type="button" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <nav id="nav" className={menuOpen ? 'nav open' : 'nav'} aria-label="Dashboard">
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <a
                href={routeHref({ appId: app.appId, page: p.id })}
                aria-current={p.id === page?.id ? 'page' : undefined}
                onClick={() => setMenuOpen(false)}
              >
                {p.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={0}>
        {page?.render()}
      </main>
    </div>
  );
}
