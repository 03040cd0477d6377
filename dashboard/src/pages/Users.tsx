import { useState } from 'react';
import type { RestObject } from '@strata/sdk/admin';
import { useApp } from '../app-context.js';
import { Messages } from '../components/Messages.js';
import { routeHref } from '../router.js';
import { useAction, useLoad } from '../use-load.js';
import { DangerButton, DataTable } from '../components/DataTable.js';
import { ActionForm } from '../components/ActionForm.js';

const TABS = [
  { id: 'users', label: 'Users' },
  { id: 'roles', label: 'Roles' },
  { id: 'sessions', label: 'Sessions' },
] as const;

/** `_User`, `_Role` and `_Session` as admins manage them: find users, edit role membership, revoke sessions. */
export function Users() {
  const { app, route } = useApp();
  const tab = TABS.find((t) => t.id === route.rest[0]) ?? TABS[0];
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users, roles and sessions</h1>
      <nav className="tabs" aria-label="Users, roles and sessions">
        {TABS.map((t) => (
          <a
            key={t.id}
            href={routeHref({ appId: app.appId, page: 'users', rest: [t.id] })}
            aria-current={t.id === tab.id ? 'page' : undefined}
          >
            {t.label}
          </a>
        ))}
      </nav>
      {tab.id === 'users' && <UserList />}
      {tab.id === 'roles' && <RoleList />}
      {tab.id === 'sessions' && <SessionList />}
    </section>
  );
}

const pointer = (className: string, objectId: string): Record<string, string> => ({
  __type: 'Pointer',
  className,
  objectId,
});

function dateText(value: unknown): string {
  const iso =
    typeof value === 'string'
      ? value
      : value !== null && typeof value === 'object' && typeof (value as { iso?: unknown }).iso === 'string'
        ? (value as { iso: string }).iso
        : '';
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** Deletes every `_Session` of a user: each is signed out on its next request. */
async function revokeAllSessions(client: ReturnType<typeof useApp>['client'], userId: string): Promise<number> {
  let revoked = 0;
  for (;;) {
    const sessions = await client.objects.find('_Session', {
      where: { user: pointer('_User', userId) },
      keys: 'objectId',
      limit: 50,
    });
    if (sessions.length === 0) return revoked;
    // One DELETE each (not /batch, whose sub-request paths carry the app's mount path, unknown here).
    await Promise.all(sessions.map((s) => client.objects.remove('_Session', s.objectId)));
    revoked += sessions.length;
  }
}

function UserList() {
  const { client, session } = useApp();
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<string | undefined>();
  const users = useLoad(
    () =>
      client.objects.find('_User', {
        order: 'username',
        limit: 100,
        keys: 'username,email,emailVerified,createdAt',
        ...(search.trim() === '' ? {} : { where: { username: { $regex: `^${escapeRegex(search.trim())}` } } }),
      }),
    [client, search],
  );
  const { error, notice, act } = useAction();
  return (
    <div className="stack">
      <label className="inline-form">
        Find users by username <input value={search} onChange={(e) => setSearch(e.target.value)} type="search" />
      </label>
      <Messages error={users.error ?? error} notice={notice} />
      <DataTable
        columns={['Username', 'Email', 'Verified', 'Created', 'Sessions']}
        caption="Users, by username (first 100)"
        captionHidden
      >
        {users.data?.map((user) => (
          <tr key={user.objectId}>
            <th scope="row">
              {String(user['username'] ?? '')} <span className="muted">{user.objectId}</span>
            </th>
            <td>{typeof user['email'] === 'string' ? user['email'] : ''}</td>
            <td>{user['emailVerified'] === true ? 'yes' : ''}</td>
            <td>{dateText(user.createdAt)}</td>
            <td className="actions">
              <button
                type="button"
                onClick={() => setSelected(selected === user.objectId ? undefined : user.objectId)}
                aria-expanded={selected === user.objectId}
              >
                Sessions of {String(user['username'] ?? user.objectId)}
              </button>
              <DangerButton
                disabled={session.readOnly}
                onClick={() =>
                  void act(`Signed ${String(user['username'])} out everywhere`, () =>
                    revokeAllSessions(client, user.objectId),
                  )
                }
              >
                Revoke all sessions of {String(user['username'] ?? user.objectId)}
              </DangerButton>
            </td>
          </tr>
        ))}
      </DataTable>
      {users.data?.length === 0 && <p className="empty-state">No users.</p>}
      {selected !== undefined && <SessionList userId={selected} key={selected} />}
    </div>
  );
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A class's sessions (or one user's): where each came from, when it expires, and a revoke button. */
function SessionList(props: { userId?: string }) {
  const { client, session } = useApp();
  const sessions = useLoad(
    () =>
      client.objects.find('_Session', {
        order: '-createdAt',
        limit: 100,
        include: 'user',
        keys: 'user.username,createdWith,installationId,expiresAt,restricted,createdAt',
        ...(props.userId === undefined ? {} : { where: { user: pointer('_User', props.userId) } }),
      }),
    [client, props.userId],
  );
  const { error, notice, act } = useAction(sessions.reload);
  const title = props.userId === undefined ? 'Sessions (newest first)' : `Sessions of ${props.userId}`;
  return (
    <div className="stack">
      <h2>{title}</h2>
      <Messages error={sessions.error ?? error} notice={notice} />
      <DataTable
        columns={['Session', 'User', 'Created with', 'Created', 'Expires']}
        actions="Actions"
        caption={title}
        captionHidden
      >
        {sessions.data?.map((s: RestObject) => {
          const user = s['user'] as { username?: string; objectId?: string } | undefined;
          const createdWith = s['createdWith'] as { action?: string; authProvider?: string } | undefined;
          return (
            <tr key={s.objectId} data-session-id={s.objectId}>
              <th scope="row">{s.objectId}</th>
              <td>{user?.username ?? user?.objectId ?? ''}</td>
              <td>
                {createdWith?.action ?? ''}
                {createdWith?.authProvider === undefined ? '' : ` (${createdWith.authProvider})`}
              </td>
              <td>{dateText(s.createdAt)}</td>
              <td>{dateText(s['expiresAt'])}</td>
              <td>
                <DangerButton
                  disabled={session.readOnly}
                  onClick={() =>
                    void act(`Revoked session ${s.objectId}`, () => client.objects.remove('_Session', s.objectId))
                  }
                >
                  Revoke session {s.objectId}
                </DangerButton>
              </td>
            </tr>
          );
        })}
      </DataTable>
      {sessions.data?.length === 0 && <p className="empty-state">No sessions.</p>}
    </div>
  );
}

function RoleList() {
  const { client, session } = useApp();
  const roles = useLoad(() => client.objects.find('_Role', { order: 'name', limit: 1000 }), [client]);
  const [selected, setSelected] = useState<RestObject | undefined>();
  const { error, notice, act } = useAction(roles.reload);
  return (
    <div className="stack">
      <Messages error={roles.error ?? error} notice={notice} />
      <ActionForm
        onSubmit={(values) => {
          const name = values.text('roleName');
          // Readable by everyone (clients resolve role names), writable by the master key only.
          return act(`Created role ${name}`, () =>
            client.objects.create('_Role', { name, ACL: { '*': { read: true } } }),
          );
        }}
      >
        <label>
          New role <input name="roleName" required pattern="[A-Za-z0-9_\- ]+" disabled={session.readOnly} />
        </label>
        <button type="submit" disabled={session.readOnly}>
          Create role
        </button>
      </ActionForm>
      <ul className="pill-list">
        {roles.data?.map((role) => (
          <li key={role.objectId}>
            <button type="button" aria-pressed={selected?.objectId === role.objectId} onClick={() => setSelected(role)}>
              {String(role['name'])}
            </button>
          </li>
        ))}
      </ul>
      {roles.data?.length === 0 && <p className="empty-state">No roles.</p>}
      {selected !== undefined && <RoleMembers role={selected} key={selected.objectId} />}
    </div>
  );
}

/** A role's users and child roles (its `users` and `roles` relations), with add and remove. */
function RoleMembers(props: { role: RestObject }) {
  const { client, session } = useApp();
  const { role } = props;
  const name = String(role['name']);
  const related = (className: string, key: string): Promise<RestObject[]> =>
    client.objects.find(className, {
      where: { $relatedTo: { object: pointer('_Role', role.objectId), key } },
      limit: 1000,
      keys: className === '_User' ? 'username' : 'name',
    });
  const members = useLoad(
    async () => ({ users: await related('_User', 'users'), roles: await related('_Role', 'roles') }),
    [client, role.objectId],
  );
  const { error, notice, act } = useAction(members.reload);
  const change = (key: 'users' | 'roles', op: 'AddRelation' | 'RemoveRelation', target: string) =>
    client.objects.update('_Role', role.objectId, {
      [key]: { __op: op, objects: [pointer(key === 'users' ? '_User' : '_Role', target)] },
    });
  const findUser = async (text: string): Promise<string> => {
    const found = await client.objects.find('_User', {
      where: { $or: [{ username: text }, { objectId: text }] },
      keys: 'objectId',
      limit: 1,
    });
    if (found[0] === undefined) throw new Error(`No user named or with the id ${text}.`);
    return found[0].objectId;
  };
  const findRole = async (text: string): Promise<string> => {
    const found = await client.objects.find('_Role', { where: { name: text }, keys: 'objectId', limit: 1 });
    if (found[0] === undefined) throw new Error(`No role named ${text}.`);
    return found[0].objectId;
  };
  return (
    <div className="stack role-members">
      <h2>Role {name}</h2>
      <Messages error={members.error ?? error} notice={notice} />
      <h3>Users in {name}</h3>
      <ul>
        {members.data?.users.map((u) => (
          <li key={u.objectId}>
            {String(u['username'] ?? u.objectId)}{' '}
            <button
              type="button"
              className="link"
              disabled={session.readOnly}
              onClick={() =>
                void act(`Removed ${String(u['username'])}`, () => change('users', 'RemoveRelation', u.objectId))
              }
            >
              Remove {String(u['username'] ?? u.objectId)} from {name}
            </button>
          </li>
        ))}
      </ul>
      <ActionForm
        onSubmit={(values) => {
          const text = values.text('member');
          return act(`Added ${text} to ${name}`, async () => change('users', 'AddRelation', await findUser(text)));
        }}
      >
        <label>
          Add a user (username or id) <input name="member" required disabled={session.readOnly} />
        </label>
        <button type="submit" disabled={session.readOnly}>
          Add user
        </button>
      </ActionForm>
      <h3>Roles in {name}</h3>
      <p className="muted">Members of these roles are members of {name} too.</p>
      <ul>
        {members.data?.roles.map((r) => (
          <li key={r.objectId}>
            {String(r['name'])}{' '}
            <button
              type="button"
              className="link"
              disabled={session.readOnly}
              onClick={() =>
                void act(`Removed role ${String(r['name'])}`, () => change('roles', 'RemoveRelation', r.objectId))
              }
            >
              Remove role {String(r['name'])} from {name}
            </button>
          </li>
        ))}
      </ul>
      <ActionForm
        onSubmit={(values) => {
          const text = values.text('childRole');
          return act(`Added role ${text} to ${name}`, async () => change('roles', 'AddRelation', await findRole(text)));
        }}
      >
        <label>
          Add a role <input name="childRole" required disabled={session.readOnly} />
        </label>
        <button type="submit" disabled={session.readOnly}>
          Add role
        </button>
      </ActionForm>
    </div>
  );
}
