import { useEffect, useState } from 'react';
import type { ServerInfo } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';

export function Overview() {
  const { client, app } = useApp();
  const [info, setInfo] = useState<ServerInfo | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    client.serverInfo().then(setInfo, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [client]);
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{app.appName}</h1>
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {info !== undefined && (
        <dl className="facts">
          <dt>App id</dt>
          <dd>{app.appId}</dd>
          <dt>Parse Server compatibility</dt>
          <dd>{info.parseServerVersion}</dd>
          {typeof info['strataVersion'] === 'string' && (
            <>
              <dt>Strata</dt>
              <dd>{info['strataVersion']}</dd>
            </>
          )}
        </dl>
      )}
    </section>
  );
}
