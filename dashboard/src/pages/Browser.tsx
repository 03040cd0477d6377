import { useEffect, useMemo, useState } from 'react';
import type { ClassSchema } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { DataGrid } from '../components/DataGrid.js';
import { routeHref } from '../router.js';

/** Classes on the left (with counts), the selected class's rows in a virtualized grid. */
export function Browser() {
  const { client, app, route } = useApp();
  const [schemas, setSchemas] = useState<ClassSchema[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    client.schemas.list().then(
      (list) => setSchemas(list.sort((a, b) => a.className.localeCompare(b.className))),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
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
                <ClassCount className={s.className} />
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section className="class-view" aria-label={className ?? 'No class selected'}>
        {schema === undefined ? (
          <p className="empty-state">{schemas === undefined ? 'Loading classes…' : 'Pick a class.'}</p>
        ) : (
          <DataGrid key={`${schema.className}:${baseWhereText}`} schema={schema} baseWhere={baseWhere} />
        )}
      </section>
    </div>
  );
}

/** A class's object count, fetched once per class when its row appears. */
function ClassCount(props: { className: string }) {
  const { client } = useApp();
  const [count, setCount] = useState<number | undefined>();
  useEffect(() => {
    let live = true;
    client.objects.count(props.className).then(
      (n) => live && setCount(n),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, props.className]);
  return <span className="count">{count === undefined ? '' : count.toLocaleString()}</span>;
}
