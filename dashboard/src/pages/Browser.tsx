import { useEffect, useMemo, useState } from 'react';
import { createAdminClient, dashboardTransport } from '@strata/sdk/admin';
import type { ClassCount, ClassSchema } from '@strata/sdk/admin';
import { AppContext, useApp } from '../app-context.js';
import { DataGrid } from '../components/DataGrid.js';
import { navigate, routeHref } from '../router.js';
import { API_BASE } from '../session.js';
import { errorText } from '../use-load.js';

/** Classes on the left (with counts), the selected class's rows in a virtualized grid. */
export function Browser() {
  const context = useApp();
  const { client, app, route, session } = context;
  // "Browse as": the grid's requests go through the dashboard server with that user's own session.
  const asUser = route.params.get('as') ?? undefined;
  const asName = route.params.get('asName') ?? asUser;
  const asClient = useMemo(
    () =>
      asUser === undefined
        ? undefined
        : createAdminClient({
            transport: dashboardTransport({
              base: `${API_BASE}/apps/${encodeURIComponent(app.appId)}/as/${encodeURIComponent(asUser)}`,
              csrfToken: () => session.csrfToken,
            }),
          }),
    [app.appId, asUser, session.csrfToken],
  );
  const [schemas, setSchemas] = useState<ClassSchema[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    client.schemas.list().then(
      (list) => setSchemas(list.sort((a, b) => a.className.localeCompare(b.className))),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [client]);
  // One call for every class's count: estimated for large classes, so opening the browser never counts millions.
  const [counts, setCounts] = useState<ReadonlyMap<string, ClassCount>>(new Map());
  useEffect(() => {
    let live = true;
    client.objects.counts().then(
      (list) => live && setCounts(new Map(list.map((c) => [c.className, c]))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client]);
  const className = route.rest[0];
  const schema = schemas?.find((s) => s.className === className);
  // Pointer and relation links open a class with a `where` in the route.
  const baseWhereText = route.params.get('where') ?? '';
  const baseWhere = useMemo(() => {
    try {
      const parsed: unknown = baseWhereText === '' ? {} : JSON.parse(baseWhereText);
      return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }, [baseWhereText]);
  return (
    <div className="browser">
      <nav className="class-list" aria-label="Classes">
        <h2>Classes</h2>
        {error !== undefined && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <ul>
          {schemas?.map((s) => (
            <li key={s.className}>
              <a
                href={routeHref({ appId: app.appId, page: 'browser', rest: [s.className] })}
                aria-current={s.className === className ? 'page' : undefined}
              >
                <span>{s.className}</span>
                <CountLabel count={counts.get(s.className)} />
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section className="class-view" aria-label={className ?? 'No class selected'}>
        <BrowseAs className={className} asUser={asUser} asName={asName} />
        {className !== undefined && asUser === undefined && (
          <ExactCount className={className} estimate={counts.get(className)} />
        )}
        {schema === undefined ? (
          <p className="empty-state">{schemas === undefined ? 'Loading classes…' : 'Pick a class.'}</p>
        ) : asClient === undefined ? (
          <DataGrid key={`${schema.className}:${baseWhereText}`} schema={schema} baseWhere={baseWhere} />
        ) : (
          <AppContext.Provider value={{ ...context, client: asClient }}>
            <DataGrid key={`${schema.className}:${baseWhereText}:${asUser}`} schema={schema} baseWhere={baseWhere} />
          </AppContext.Provider>
        )}
      </section>
    </div>
  );
}

/** A class's count: exact, or `≈ N` (the database's estimate) for a large class. */
function CountLabel(props: { count: ClassCount | undefined }) {
  const { count } = props;
  if (count === undefined) return <span className="count" />;
  if (!count.estimated) return <span className="count">{count.count.toLocaleString()}</span>;
  return (
    <span className="count" title="Estimated: open the class and choose “Count exactly” for the exact number">
      ≈ {count.count.toLocaleString()}
    </span>
  );
}

/** The exact count of the open class, only when asked: a full count of a large class takes a while. */
function ExactCount(props: { className: string; estimate: ClassCount | undefined }) {
  const { client } = useApp();
  const [state, setState] = useState<{ className: string; text: string } | undefined>();
  if (props.estimate?.estimated !== true) return null;
  const shown = state?.className === props.className ? state.text : undefined;
  return (
    <p className="inline-form exact-count">
      <span>About {props.estimate.count.toLocaleString()} objects (estimated).</span>
      <button
        type="button"
        onClick={() => {
          setState({ className: props.className, text: 'Counting…' });
          client.objects.count(props.className).then(
            (n) => setState({ className: props.className, text: `Exactly ${n.toLocaleString()} objects.` }),
            (err: unknown) => setState({ className: props.className, text: errorText(err) }),
          );
        }}
      >
        Count exactly
      </button>
      {shown !== undefined && <span role="status">{shown}</span>}
    </p>
  );
}

/**
 * Picks a user to browse as, or says whose view this is. The server opens a session for that user
 * (`/loginAs`) and sends the grid's requests with it, never with the master key.
 */
function BrowseAs(props: { className: string | undefined; asUser: string | undefined; asName: string | undefined }) {
  const { client, app, session } = useApp();
  const [error, setError] = useState<string | undefined>();
  const rest = props.className === undefined ? [] : [props.className];
  if (props.asUser !== undefined) {
    return (
      <p role="status" className="notice browse-as">
        Browsing as <strong>{props.asName}</strong>: you see and change exactly what this user&apos;s ACLs, roles and
        class-level permissions allow.{' '}
        <a href={routeHref({ appId: app.appId, page: 'browser', rest })}>Stop browsing as {props.asName}</a>
      </p>
    );
  }
  if (session.readOnly) return null;
  return (
    <form
      className="inline-form browse-as"
      onSubmit={(e) => {
        e.preventDefault();
        const text = String(new FormData(e.currentTarget).get('asUser') ?? '').trim();
        setError(undefined);
        client.objects
          .find('_User', { where: { $or: [{ username: text }, { objectId: text }] }, keys: 'username', limit: 1 })
          .then(
            ([user]) => {
              if (user === undefined) {
                setError(`No user named or with the id ${text}.`);
                return;
              }
              navigate(
                routeHref({
                  appId: app.appId,
                  page: 'browser',
                  rest,
                  params: { as: user.objectId, asName: String(user['username'] ?? user.objectId) },
                }),
              );
            },
            (err: unknown) => setError(errorText(err)),
          );
      }}
    >
      <label>
        Browse as user <input name="asUser" placeholder="username or objectId" required />
      </label>
      <button type="submit">Browse as</button>
      {error !== undefined && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </form>
  );
}
