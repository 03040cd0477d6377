import { useCallback, useEffect, useState } from 'react';
import type { ClassSchema, FieldType } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { ClpEditor } from '../components/ClpEditor.js';
import { navigate, routeHref } from '../router.js';
import { orderedFields } from '../values.js';
import { DangerButton, DataTable } from '../components/DataTable.js';
import { ActionForm } from '../components/ActionForm.js';

const TYPES: readonly FieldType[] = [
  'String',
  'Number',
  'Boolean',
  'Date',
  'Object',
  'Array',
  'GeoPoint',
  'File',
  'Bytes',
  'Polygon',
  'Pointer',
  'Relation',
];
const DEFAULT_FIELDS: ReadonlySet<string> = new Set(['objectId', 'createdAt', 'updatedAt', 'ACL']);

/** Classes, their fields (with required and default values), indexes, and the CLP editor. */
export function Schema() {
  const { client, app, route, session } = useApp();
  const [schemas, setSchemas] = useState<ClassSchema[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const reload = useCallback(() => {
    client.schemas.list().then(
      (list) => setSchemas(list.sort((a, b) => a.className.localeCompare(b.className))),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [client]);
  useEffect(reload, [reload]);
  const className = route.rest[0];
  const schema = schemas.find((s) => s.className === className);
  const act = async (done: string, work: () => Promise<unknown>): Promise<void> => {
    setError(undefined);
    try {
      await work();
      setNotice(done);
      reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const readOnly = session.readOnly;
  return (
    <div className="browser">
      <nav className="class-list" aria-label="Classes">
        <h2>Classes</h2>
        <ul>
          {schemas.map((s) => (
            <li key={s.className}>
              <a
                href={routeHref({ appId: app.appId, page: 'schema', rest: [s.className] })}
                aria-current={s.className === className ? 'page' : undefined}
              >
                {s.className}
              </a>
            </li>
          ))}
        </ul>
        <ActionForm
          className="stack"
          resetOnSuccess={false}
          onSubmit={(values) => {
            const name = values.text('className');
            return act(`Created ${name}`, async () => {
              await client.schemas.create({ className: name });
              navigate(routeHref({ appId: app.appId, page: 'schema', rest: [name] }));
            });
          }}
        >
          <label htmlFor="new-class">New class</label>
          <input id="new-class" name="className" required pattern="[A-Za-z][A-Za-z0-9_]*" disabled={readOnly} />
          <button type="submit" disabled={readOnly}>
            Create class
          </button>
        </ActionForm>
      </nav>
      <section className="class-view" aria-label="Schema">
        {error !== undefined && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {notice !== undefined && error === undefined && (
          <p role="status" className="muted">
            {notice}
          </p>
        )}
        {schema === undefined ? (
          <p className="empty-state">Pick a class.</p>
        ) : (
          <ClassDetail key={schema.className} schema={schema} act={act} readOnly={readOnly} />
        )}
      </section>
    </div>
  );
}

function ClassDetail(props: {
  schema: ClassSchema;
  act: (done: string, work: () => Promise<unknown>) => Promise<void>;
  readOnly: boolean;
}) {
  const { client, app } = useApp();
  const { schema, act, readOnly } = props;
  const [type, setType] = useState<FieldType>('String');
  const fields = orderedFields(schema.fields);
  return (
    <div className="schema-detail">
      <h1>{schema.className}</h1>
      <h2>Fields</h2>
      <DataTable columns={['Name', 'Type', 'Required', 'Default']} actions="Actions" className="log-table">
        {fields.map((name) => {
          const field = schema.fields[name];
          return (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>
                {field?.type}
                {field?.targetClass === undefined ? '' : `<${field.targetClass}>`}
              </td>
              <td>{field?.required === true ? 'yes' : ''}</td>
              <td>{field?.defaultValue === undefined ? '' : JSON.stringify(field.defaultValue)}</td>
              <td>
                {!DEFAULT_FIELDS.has(name) && (
                  <button
                    type="button"
                    className="danger"
                    disabled={readOnly}
                    aria-label={`Delete field ${name}`}
                    onClick={() => {
                      if (window.confirm(`Delete ${name} and its data from every ${schema.className}?`)) {
                        void act(`Deleted ${name}`, () =>
                          client.schemas.update(schema.className, { fields: { [name]: { __op: 'Delete' } } }),
                        );
                      }
                    }}
                  >
                    Delete
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </DataTable>
      <ActionForm
        label="Add a field"
        resetOnSuccess={false}
        onSubmit={(values) => {
          const name = values.text('name');
          const target = values.text('targetClass');
          const defaultText = values.text('defaultValue');
          let defaultValue: unknown;
          if (defaultText !== '') {
            try {
              defaultValue = JSON.parse(defaultText);
            } catch {
              defaultValue = defaultText;
            }
          }
          const field = {
            type,
            ...(type === 'Pointer' || type === 'Relation' ? { targetClass: target } : {}),
            ...(values.checked('required') ? { required: true } : {}),
            ...(defaultValue === undefined ? {} : { defaultValue }),
          };
          return act(`Added ${name}`, () => client.schemas.update(schema.className, { fields: { [name]: field } }));
        }}
      >
        <label>
          Field name <input name="name" required pattern="[A-Za-z][A-Za-z0-9_]*" disabled={readOnly} />
        </label>
        <label>
          Type{' '}
          <select name="type" value={type} onChange={(e) => setType(e.target.value as FieldType)} disabled={readOnly}>
            {TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        {(type === 'Pointer' || type === 'Relation') && (
          <label>
            Target class <input name="targetClass" required disabled={readOnly} />
          </label>
        )}
        <label>
          <input type="checkbox" name="required" disabled={readOnly} /> Required
        </label>
        <label>
          Default (JSON) <input name="defaultValue" disabled={readOnly} />
        </label>
        <button type="submit" disabled={readOnly}>
          Add field
        </button>
      </ActionForm>
      <h2>Indexes</h2>
      <ul>
        {Object.entries(schema.indexes ?? {}).map(([name, spec]) => (
          <li key={name}>
            <code>{name}</code> {JSON.stringify(spec)}{' '}
            {name !== '_id_' && (
              <button
                type="button"
                disabled={readOnly}
                onClick={() =>
                  void act(`Dropped ${name}`, () =>
                    client.schemas.update(schema.className, { indexes: { [name]: { __op: 'Delete' } } }),
                  )
                }
              >
                Drop
              </button>
            )}
          </li>
        ))}
      </ul>
      <ActionForm
        label="Add an index"
        resetOnSuccess={false}
        onSubmit={(values) => {
          const field = values.raw('field');
          const dir = values.raw('direction') === '-1' ? -1 : 1;
          return act(`Indexed ${field}`, () =>
            client.schemas.update(schema.className, { indexes: { [`${field}_${dir}`]: { [field]: dir } } }),
          );
        }}
      >
        <label>
          Index field{' '}
          <select name="field" disabled={readOnly}>
            {fields.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </label>
        <label>
          Direction{' '}
          <select name="direction" disabled={readOnly}>
            <option value="1">ascending</option>
            <option value="-1">descending</option>
          </select>
        </label>
        <button type="submit" disabled={readOnly}>
          Add index
        </button>
      </ActionForm>
      <h2>Class-level permissions</h2>
      <ClpEditor
        schema={schema}
        readOnly={readOnly}
        onSave={(clp) =>
          act('Permissions saved', () => client.schemas.update(schema.className, { classLevelPermissions: clp }))
        }
      />
      <h2>Danger zone</h2>
      <DangerButton
        disabled={readOnly}
        onClick={() => {
          if (window.confirm(`Delete the class ${schema.className}? It must be empty.`)) {
            void act(`Deleted ${schema.className}`, async () => {
              await client.schemas.remove(schema.className);
              navigate(routeHref({ appId: app.appId, page: 'schema' }));
            });
          }
        }}
      >
        Delete class
      </DangerButton>
    </div>
  );
}
