import { useState } from 'react';
import type { ClassSchema } from '@strata/sdk/admin';
import { CLP_OPERATIONS, clpToModel, modelToClp, splitNames } from '../clp.js';
import type { ClpModel, ClpOperation } from '../clp.js';

/**
 * The CLP and protectedFields editor: a grid of principals × operations (Public, requiresAuthentication,
 * roles, users), pointer permissions per operation and read/write user fields, and protected fields per
 * key. Saves the complete CLP (Parse replaces it whole).
 */
export function ClpEditor(props: {
  schema: ClassSchema;
  readOnly: boolean;
  onSave: (clp: Record<string, unknown>) => Promise<void>;
}) {
  const original = props.schema.classLevelPermissions as Record<string, unknown> | undefined;
  const [model, setModel] = useState<ClpModel>(() => clpToModel(original));
  const [principal, setPrincipal] = useState('');
  const principals = [
    '*',
    'requiresAuthentication',
    ...Object.keys(model.grants).filter((p) => p !== '*' && p !== 'requiresAuthentication'),
  ];
  const label = (p: string): string =>
    p === '*' ? 'Public' : p === 'requiresAuthentication' ? 'Authenticated users' : p;
  const toggle = (p: string, op: ClpOperation, on: boolean): void => {
    const current = model.grants[p] ?? [];
    const next = on ? [...current.filter((o) => o !== op), op] : current.filter((o) => o !== op);
    setModel({ ...model, grants: { ...model.grants, [p]: next } });
  };
  return (
    <div className="clp-editor">
      <table className="log-table">
        <caption className="visually-hidden">Who may do what on {props.schema.className}</caption>
        <thead>
          <tr>
            <th scope="col">Who</th>
            {CLP_OPERATIONS.map((op) => (
              <th scope="col" key={op}>
                {op}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {principals.map((p) => (
            <tr key={p}>
              <th scope="row">{label(p)}</th>
              {CLP_OPERATIONS.map((op) => (
                <td key={op}>
                  <input
                    type="checkbox"
                    aria-label={`${label(p)} ${op}`}
                    checked={(model.grants[p] ?? []).includes(op)}
                    onChange={(e) => toggle(p, op, e.target.checked)}
                    disabled={props.readOnly}
                  />
                </td>
              ))}
            </tr>
          ))}
          <tr>
            <th scope="row">Pointer fields</th>
            {CLP_OPERATIONS.map((op) => (
              <td key={op}>
                <input
                  aria-label={`${op} pointer fields`}
                  size={8}
                  defaultValue={(model.pointerFields[op] ?? []).join(', ')}
                  onBlur={(e) =>
                    setModel({ ...model, pointerFields: { ...model.pointerFields, [op]: splitNames(e.target.value) } })
                  }
                  disabled={props.readOnly}
                />
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <div className="inline-form">
        <label>
          Add a role or user{' '}
          <input
            value={principal}
            onChange={(e) => setPrincipal(e.target.value)}
            placeholder="role:Admin or a user objectId"
            disabled={props.readOnly}
          />
        </label>
        <button
          type="button"
          disabled={props.readOnly || principal.trim() === ''}
          onClick={() => {
            setModel({
              ...model,
              grants: { ...model.grants, [principal.trim()]: model.grants[principal.trim()] ?? [] },
            });
            setPrincipal('');
          }}
        >
          Add row
        </button>
      </div>
      <div className="inline-form">
        <label>
          Read user fields{' '}
          <input
            aria-label="Read user fields"
            defaultValue={model.readUserFields.join(', ')}
            onBlur={(e) => setModel({ ...model, readUserFields: splitNames(e.target.value) })}
            disabled={props.readOnly}
          />
        </label>
        <label>
          Write user fields{' '}
          <input
            aria-label="Write user fields"
            defaultValue={model.writeUserFields.join(', ')}
            onBlur={(e) => setModel({ ...model, writeUserFields: splitNames(e.target.value) })}
            disabled={props.readOnly}
          />
        </label>
      </div>
      <h3>Protected fields</h3>
      <p className="muted">
        Per key (*, authenticated, role:Name, userField:pointer, or a user id): fields hidden from those callers.
      </p>
      <ProtectedFields model={model} setModel={setModel} readOnly={props.readOnly} />
      <button
        type="button"
        className="primary"
        disabled={props.readOnly}
        onClick={() => void props.onSave(modelToClp(model, original?.['ACL']))}
      >
        Save permissions
      </button>
    </div>
  );
}

function ProtectedFields(props: { model: ClpModel; setModel: (m: ClpModel) => void; readOnly: boolean }) {
  const { model, setModel } = props;
  const [key, setKey] = useState('');
  const entries = Object.entries(model.protectedFields);
  return (
    <>
      <ul className="stack">
        {entries.map(([k, fields]) => (
          <li key={k}>
            <label>
              <code>{k}</code>{' '}
              <input
                aria-label={`Protected fields for ${k}`}
                defaultValue={fields.join(', ')}
                onBlur={(e) =>
                  setModel({ ...model, protectedFields: { ...model.protectedFields, [k]: splitNames(e.target.value) } })
                }
                disabled={props.readOnly}
              />
            </label>
          </li>
        ))}
      </ul>
      <div className="inline-form">
        <label>
          Protected fields key{' '}
          <input value={key} onChange={(e) => setKey(e.target.value)} placeholder="*" disabled={props.readOnly} />
        </label>
        <button
          type="button"
          disabled={props.readOnly || key.trim() === ''}
          onClick={() => {
            setModel({
              ...model,
              protectedFields: { ...model.protectedFields, [key.trim()]: model.protectedFields[key.trim()] ?? [] },
            });
            setKey('');
          }}
        >
          Add key
        </button>
      </div>
    </>
  );
}
