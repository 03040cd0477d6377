import { useState } from 'react';
import { useApp } from '../app-context.js';
import { DataTable } from './DataTable.js';

type Access = { read?: boolean; write?: boolean };

/**
 * Edits an ACL: public access, then one row per user id or `role:Name`, each with read and write boxes.
 * Users are found by username and roles by name (looked up through the app's REST API).
 */
export function AclEditor(props: { value: Record<string, Access>; onChange: (acl: Record<string, Access>) => void }) {
  const { client } = useApp();
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState<'user' | 'role'>('user');
  const [matches, setMatches] = useState<Array<{ key: string; label: string }>>([]);
  const [error, setError] = useState<string | undefined>();
  const acl = props.value;
  const entries = Object.entries(acl).filter(([key]) => key !== '*');

  const set = (key: string, access: Access): void => {
    const next = { ...acl };
    if (access.read !== true && access.write !== true) delete next[key];
    else
      next[key] = {
        ...(access.read === true ? { read: true } : {}),
        ...(access.write === true ? { write: true } : {}),
      };
    props.onChange(next);
  };

  const search = async (): Promise<void> => {
    setError(undefined);
    try {
      const prefix = `^\\Q${query}\\E`;
      const rows =
        kind === 'user'
          ? await client.objects.find('_User', { where: { username: { $regex: prefix } }, limit: 10, keys: 'username' })
          : await client.objects.find('_Role', { where: { name: { $regex: prefix } }, limit: 10, keys: 'name' });
      setMatches(
        rows.map((r) =>
          kind === 'user'
            ? { key: r.objectId, label: `${String(r['username'])} (${r.objectId})` }
            : { key: `role:${String(r['name'])}`, label: `role:${String(r['name'])}` },
        ),
      );
      if (rows.length === 0) setError(`No ${kind} matches "${query}"`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const row = (key: string, label: string) => {
    const access = acl[key] ?? {};
    return (
      <tr key={key}>
        <th scope="row">{label}</th>
        <td>
          <input
            type="checkbox"
            aria-label={`${label} read`}
            checked={access.read === true}
            onChange={(e) => set(key, { ...access, read: e.target.checked })}
          />
        </td>
        <td>
          <input
            type="checkbox"
            aria-label={`${label} write`}
            checked={access.write === true}
            onChange={(e) => set(key, { ...access, write: e.target.checked })}
          />
        </td>
        <td>
          {key !== '*' && (
            <button type="button" onClick={() => set(key, {})} aria-label={`Remove ${label}`}>
              Remove
            </button>
          )}
        </td>
      </tr>
    );
  };

  return (
    <fieldset className="acl-editor">
      <legend>Access control list</legend>
      <DataTable columns={['Who', 'Read', 'Write']} actions="Actions" className="">
        {row('*', 'Public')}
        {entries.map(([key]) => row(key, key))}
      </DataTable>
      {Object.keys(acl).length === 0 && (
        <p className="muted">Empty ACL: only the master key can read or write this object.</p>
      )}
      <div className="acl-add">
        <label>
          <span className="visually-hidden">Kind</span>
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value as 'user' | 'role')}
            aria-label="Add a user or a role"
          >
            <option value="user">User</option>
            <option value="role">Role</option>
          </select>
        </label>
        <label>
          <span className="visually-hidden">Search</span>
          <input
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder={kind === 'user' ? 'username starts with…' : 'role name starts with…'}
            aria-label={kind === 'user' ? 'Find user by username' : 'Find role by name'}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void search();
              }
            }}
          />
        </label>
        <button type="button" onClick={() => void search()}>
          Find
        </button>
      </div>
      {error !== undefined && <p className="error">{error}</p>}
      {matches.length > 0 && (
        <ul className="matches" aria-label="Matches">
          {matches.map((m) => (
            <li key={m.key}>
              <button
                type="button"
                onClick={() => {
                  set(m.key, { read: true, write: acl[m.key]?.write === true });
                  setMatches([]);
                  setQuery('');
                }}
              >
                Add {m.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
