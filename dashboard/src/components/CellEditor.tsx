import { useEffect, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import type { RestObject, SchemaField } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { AclEditor } from './AclEditor.js';
import { parseDateField, parseGeoPoint, parseJsonField, parseNumberField, parsePolygon } from '../values.js';

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * A modal editor for one cell, by the field's Parse type. Saving sends `{ field: value }` (or a Delete op
 * to clear it) as one update, and hands the new row back. Relations are edited with Add/RemoveRelation.
 */
export function CellEditor(props: {
  className: string;
  row: RestObject;
  field: string;
  schema: SchemaField;
  onSaved: (row: RestObject) => void;
  onClose: () => void;
}) {
  const { client, session } = useApp();
  const { field, schema, row } = props;
  const current = row[field];
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [text, setText] = useState(() => initialText(current, schema.type));
  const [lat, setLat] = useState(() => geo(current, 'latitude'));
  const [lng, setLng] = useState(() => geo(current, 'longitude'));
  const [file, setFile] = useState<File | undefined>();
  // An object without an ACL is public (read and write), as Parse treats it.
  const [acl, setAcl] = useState<Record<string, { read?: boolean; write?: boolean }>>(() =>
    typeof current === 'object' && current !== null
      ? { ...(current as Record<string, { read?: boolean; write?: boolean }>) }
      : { '*': { read: true, write: true } },
  );
  useEffect(() => {
    const element = dialog.current;
    if (element !== null && !element.open) element.showModal();
  }, []);

  const parse = async (): Promise<Parsed> => {
    switch (schema.type) {
      case 'Number':
        return parseNumberField(text);
      case 'Boolean':
        return { ok: true, value: text === 'true' };
      case 'Date':
        return parseDateField(text);
      case 'Object':
      case 'Array':
        return parseJsonField(text, schema.type);
      case 'GeoPoint':
        return parseGeoPoint(lat, lng);
      case 'Polygon':
        return parsePolygon(text);
      case 'Bytes':
        return /^[A-Za-z0-9+/]*={0,2}$/.test(text.trim())
          ? { ok: true, value: { __type: 'Bytes', base64: text.trim() } }
          : { ok: false, error: 'Expected base64' };
      case 'Pointer':
        return text.trim() === ''
          ? { ok: false, error: 'Enter an objectId' }
          : { ok: true, value: { __type: 'Pointer', className: schema.targetClass ?? '', objectId: text.trim() } };
      case 'Relation': {
        const ids = text.split(/[\s,]+/).filter((id) => id.length > 0);
        if (ids.length === 0) return { ok: false, error: 'Enter objectIds to add' };
        return {
          ok: true,
          value: {
            __op: 'AddRelation',
            objects: ids.map((objectId) => ({ __type: 'Pointer', className: schema.targetClass ?? '', objectId })),
          },
        };
      }
      case 'File': {
        if (file === undefined) return { ok: false, error: 'Choose a file' };
        const uploaded = await client.files.upload(
          file.name.replace(/[^A-Za-z0-9._~ -]/g, '_') || 'file',
          file,
          file.type || undefined,
        );
        return { ok: true, value: { __type: 'File', name: uploaded.name, url: uploaded.url } };
      }
      case 'ACL':
        return { ok: true, value: acl };
      default:
        return { ok: true, value: text };
    }
  };

  const save = async (value: unknown): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const saved = await client.objects.update(props.className, row.objectId, { [field]: value });
      const fresh = await client.objects.get(props.className, row.objectId);
      props.onSaved({ ...fresh, updatedAt: saved.updatedAt });
      props.onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    let parsed: Parsed;
    try {
      parsed = await parse();
    } catch (err) {
      parsed = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    setBusy(false);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    await save(parsed.value);
  };

  const id = `edit-${field}`;
  let input: ReactNode;
  switch (schema.type) {
    case 'Boolean':
      input = (
        <select id={id} value={text} onChange={(e) => setText(e.target.value)}>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      );
      break;
    case 'GeoPoint':
      input = (
        <div className="pair">
          <label>
            Latitude <input id={id} value={lat} onChange={(e) => setLat(e.target.value)} inputMode="decimal" />
          </label>
          <label>
            Longitude <input value={lng} onChange={(e) => setLng(e.target.value)} inputMode="decimal" />
          </label>
        </div>
      );
      break;
    case 'File':
      input = (
        <>
          {typeof current === 'object' &&
            current !== null &&
            typeof (current as Record<string, unknown>)['url'] === 'string' && (
              <p>
                Current:{' '}
                <a href={String((current as Record<string, unknown>)['url'])} target="_blank" rel="noreferrer">
                  {String((current as Record<string, unknown>)['name'])}
                </a>
              </p>
            )}
          <input id={id} type="file" onChange={(e) => setFile(e.target.files?.[0])} />
        </>
      );
      break;
    case 'ACL':
      input = <AclEditor value={acl} onChange={setAcl} />;
      break;
    case 'Number':
    case 'Date':
    case 'Pointer':
      input = <input id={id} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />;
      break;
    default:
      input = (
        <textarea
          id={id}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={schema.type === 'String' ? 4 : 10}
          spellCheck={false}
        />
      );
  }

  return (
    <dialog ref={dialog} className="editor" aria-labelledby="editor-title" onClose={props.onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <h2 id="editor-title">
          {field}{' '}
          <span className="type">
            {schema.type}
            {schema.targetClass === undefined ? '' : `<${schema.targetClass}>`}
          </span>
        </h2>
        <p className="muted">
          {props.className} {row.objectId}
        </p>
        {schema.type !== 'GeoPoint' && schema.type !== 'ACL' && <label htmlFor={id}>{hint(schema)}</label>}
        {input}
        {error !== undefined && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={busy || session.readOnly}>
            {schema.type === 'Relation' ? 'Add to relation' : 'Save'}
          </button>
          {schema.type !== 'Relation' && current !== undefined && (
            <button
              type="button"
              className="danger"
              disabled={busy || session.readOnly}
              onClick={() => void save({ __op: 'Delete' })}
            >
              Clear value
            </button>
          )}
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

function hint(schema: SchemaField): string {
  switch (schema.type) {
    case 'Number':
      return 'Number';
    case 'Date':
      return 'Date and time, UTC (2025-01-31T12:00:00Z)';
    case 'Object':
      return 'JSON object';
    case 'Array':
      return 'JSON array';
    case 'Polygon':
      return 'Points as JSON: [[lat, lng], [lat, lng], [lat, lng]]';
    case 'Pointer':
      return `objectId of a ${schema.targetClass ?? ''}`;
    case 'Relation':
      return `objectIds of ${schema.targetClass ?? ''} objects to add (comma or space separated)`;
    case 'File':
      return 'Upload a file';
    case 'Bytes':
      return 'Base64';
    case 'Boolean':
      return 'Value';
    default:
      return 'Text';
  }
}

function initialText(value: unknown, type: string): string {
  if (value === undefined || value === null)
    return type === 'Boolean' ? 'true' : type === 'Object' ? '{}' : type === 'Array' ? '[]' : '';
  if (typeof value !== 'object') return String(value);
  const record = value as Record<string, unknown>;
  switch (record['__type']) {
    case 'Date':
      return String(record['iso']);
    case 'Pointer':
      return String(record['objectId']);
    case 'Bytes':
      return String(record['base64']);
    case 'Polygon':
      return JSON.stringify(record['coordinates']);
    case 'Relation':
      return '';
    default:
      return JSON.stringify(value, null, 2);
  }
}

function geo(value: unknown, key: 'latitude' | 'longitude'): string {
  return typeof value === 'object' && value !== null && key in value
    ? String((value as Record<string, unknown>)[key])
    : '';
}
