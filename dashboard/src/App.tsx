import { useCallback, useEffect, useMemo, useState } from 'react';
import { createAdminClient, dashboardTransport } from '@strata/sdk/admin';
import type { AdminClient } from '@strata/sdk/admin';
import { AppContext } from './app-context.js';
import { Shell } from './components/Shell.js';
import { navigate, routeHref, useRoute } from './router.js';
import { API_BASE, loadSession, signOut } from './session.js';
import type { SessionInfo, SessionState } from './session.js';
import { SignIn } from './pages/SignIn.js';

/** Signed out: the sign-in form. Signed in: the shell around the page the hash route names. */
export function App() {
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  useEffect(() => {
    loadSession().then(setState, () => setState({ kind: 'signedOut', needsSetup: false }));
  }, []);

  if (state.kind === 'loading')
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  if (state.kind === 'signedOut') {
    return <SignIn needsSetup={state.needsSetup} onSignedIn={(session) => setState({ kind: 'signedIn', session })} />;
  }
  return (
    <SignedIn
      session={state.session}
      onSignOut={() => {
        void signOut(state.session).finally(() => setState({ kind: 'signedOut', needsSetup: false }));
      }}
      onExpired={() => setState({ kind: 'signedOut', needsSetup: false })}
    />
  );
}

function SignedIn(props: { session: SessionInfo; onSignOut: () => void; onExpired: () => void }) {
  const { session, onExpired } = props;
  const route = useRoute();
  const apps = session.apps.filter((app) => app.available);
  const app = apps.find((a) => a.appId === route.appId) ?? apps[0];
  useEffect(() => {
    if (app !== undefined && route.appId !== app.appId) navigate(routeHref({ appId: app.appId, page: 'overview' }));
  }, [app, route.appId]);

  const fetchWithExpiry = useCallback<typeof fetch>(
    async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 401) onExpired();
      return response;
    },
    [onExpired],
  );
  const client: AdminClient | undefined = useMemo(
    () =>
      app === undefined
        ? undefined
        : createAdminClient({
            transport: dashboardTransport({
              base: `${API_BASE}/apps/${encodeURIComponent(app.appId)}`,
              csrfToken: () => session.csrfToken,
              fetch: fetchWithExpiry,
            }),
          }),
    [app, session.csrfToken, fetchWithExpiry],
  );
  if (app === undefined || client === undefined) {
    return (
      <main className="empty-state">
        <h1>No apps</h1>
        <p>
          Your dashboard user has no app it may open
          {session.readOnly ? ' (read-only users need an app with a read-only master key)' : ''}.
        </p>
        <button type="button" onClick={props.onSignOut}>
          Sign out
        </button>
      </main>
    );
  }
  return (
    <AppContext.Provider value={{ app, apps, client, session, route }}>
      <Shell onSignOut={props.onSignOut} />
    </AppContext.Provider>
  );
}
