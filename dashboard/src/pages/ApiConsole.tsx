import { useState } from 'react';
import { useApp } from '../app-context.js';
import { navigate, routeHref } from '../router.js';
import { API_BASE } from '../session.js';
import { errorText } from '../use-load.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;

interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly requestId: string | undefined;
  readonly body: string;
}

/** Pretty JSON when the answer is JSON, else the text as it came. */
function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * Sends one request through the dashboard server, which adds the app's master key (the read-only master key
 * for a read-only user) on its side: the browser never holds a key, and a read-only user's writes are refused
 * by the app itself.
 */
async function send(options: {
  appId: string;
  csrfToken: string;
  method: string;
  path: string;
  body: string | undefined;
}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${API_BASE}/apps/${encodeURIComponent(options.appId)}${options.path}`, {
    method: options.method,
    credentials: 'same-origin',
    headers: {
      'X-CSRF-Token': options.csrfToken,
      ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    ms: performance.now() - started,
    requestId: response.headers.get('X-Request-Id') ?? undefined,
    body: pretty(text),
  };
}

/** Checks a JSON text typed into the console; undefined when it is empty. */
function jsonBody(text: string, what: string): string | undefined {
  if (text.trim() === '') return undefined;
  try {
    JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not valid JSON: ${errorText(err)}`);
  }
  return text;
}

/** The same call as a curl command, with a placeholder where the key goes. */
function curlOf(options: { appId: string; method: string; path: string; body: string | undefined }): string {
  const lines = [
    `curl -X ${options.method} "$SERVER_URL${options.path}"`,
    `  -H "X-Parse-Application-Id: ${options.appId}"`,
    '  -H "X-Parse-Master-Key: $MASTER_KEY"',
  ];
  if (options.body !== undefined) {
    lines.push('  -H "Content-Type: application/json"', `  -d '${options.body.replace(/'/g, "'\\''")}'`);
  }
  return lines.join(' \\\n');
}

/** A REST request builder and a GraphQL console, both answered by the app as the signed-in dashboard user. */
export function ApiConsole() {
  const { app, route, session } = useApp();
  const tab = route.rest[0] === 'graphql' ? 'graphql' : 'rest';
  return (
    <section aria-labelledby="console-title" className="stack">
      <h1 id="console-title">API console</h1>
      <p className="muted">
        Requests run on the dashboard server with this app&apos;s{' '}
        {session.readOnly ? 'read-only master key: the app refuses writes' : 'master key'}. The key never reaches the
        browser.
      </p>
      <nav className="tabs" aria-label="Console">
        <a href={routeHref({ appId: app.appId, page: 'console' })} aria-current={tab === 'rest' ? 'page' : undefined}>
          REST
        </a>
        <a
          href={routeHref({ appId: app.appId, page: 'console', rest: ['graphql'] })}
          aria-current={tab === 'graphql' ? 'page' : undefined}
        >
          GraphQL
        </a>
      </nav>
      {tab === 'rest' ? <RestConsole /> : <GraphQLConsole />}
    </section>
  );
}

function RestConsole() {
  const { app, route, session } = useApp();
  const [method, setMethod] = useState<string>(route.params.get('method') ?? 'GET');
  const [path, setPath] = useState(route.params.get('path') ?? '/classes/_User?limit=10');
  const [body, setBody] = useState('');
  const [answer, setAnswer] = useState<Answer | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const hasBody = method === 'POST' || method === 'PUT';
  let curl = '';
  try {
    curl = curlOf({ appId: app.appId, method, path, body: hasBody ? jsonBody(body, 'The body') : undefined });
  } catch {
    curl = '';
  }
  return (
    <>
      <form
        className="console-form"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          let sentBody: string | undefined;
          try {
            if (!path.startsWith('/')) throw new Error('The path starts with / (below the mount, e.g. /classes/Game).');
            sentBody = hasBody ? jsonBody(body, 'The body') : undefined;
          } catch (err) {
            setError(errorText(err));
            return;
          }
          setBusy(true);
          // Shareable: the method and path go into the address (never the body).
          navigate(routeHref({ appId: app.appId, page: 'console', params: { method, path } }));
          send({ appId: app.appId, csrfToken: session.csrfToken, method, path, body: sentBody })
            .then(setAnswer, (err: unknown) => setError(errorText(err)))
            .finally(() => setBusy(false));
        }}
      >
        <div className="inline-form">
          <label>
            Method{' '}
            <select value={method} onChange={(e) => setMethod(e.target.value)}>
              {METHODS.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </label>
          <label className="grow">
            Path <input value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} required />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            Send request
          </button>
        </div>
        {hasBody && (
          <label className="block">
            Body (JSON)
            <textarea value={body} onChange={(e) => setBody(e.target.value)} rows={8} spellCheck={false} />
          </label>
        )}
      </form>
      <ConsoleAnswer answer={answer} error={error} />
      {curl !== '' && (
        <details>
          <summary>As curl</summary>
          <pre>{curl}</pre>
        </details>
      )}
    </>
  );
}

function GraphQLConsole() {
  const { app, session } = useApp();
  const [query, setQuery] = useState('query {\n  health\n}');
  const [variables, setVariables] = useState('');
  const [answer, setAnswer] = useState<Answer | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <>
      <form
        className="console-form"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          let body: string;
          try {
            const vars = jsonBody(variables, 'The variables');
            body = JSON.stringify({ query, ...(vars === undefined ? {} : { variables: JSON.parse(vars) as unknown }) });
          } catch (err) {
            setError(errorText(err));
            return;
          }
          setBusy(true);
          send({ appId: app.appId, csrfToken: session.csrfToken, method: 'POST', path: '/graphql', body })
            .then(setAnswer, (err: unknown) => setError(errorText(err)))
            .finally(() => setBusy(false));
        }}
      >
        <label className="block">
          Query
          <textarea value={query} onChange={(e) => setQuery(e.target.value)} rows={10} spellCheck={false} required />
        </label>
        <label className="block">
          Variables (JSON)
          <textarea value={variables} onChange={(e) => setVariables(e.target.value)} rows={3} spellCheck={false} />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          Run query
        </button>
      </form>
      <ConsoleAnswer answer={answer} error={error} />
    </>
  );
}

function ConsoleAnswer(props: { answer: Answer | undefined; error: string | undefined }) {
  const { answer, error } = props;
  return (
    <>
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {answer !== undefined && (
        <section aria-labelledby="answer-title" className="console-answer">
          <h2 id="answer-title">Response</h2>
          <p role="status" className={answer.status >= 400 ? 'error' : 'notice'}>
            HTTP {answer.status} in {Math.round(answer.ms)} ms
            {answer.requestId === undefined ? '' : ` (request id ${answer.requestId})`}
          </p>
          <pre tabIndex={0} aria-label="Response body">
            {answer.body}
          </pre>
        </section>
      )}
    </>
  );
}
