import { useState } from 'react';
import type { FormEvent } from 'react';
import { SignInError, signIn } from '../session.js';
import type { SessionInfo } from '../session.js';

export function SignIn(props: { needsSetup: boolean; onSignedIn: (session: SessionInfo) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [askTotp, setAskTotp] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      props.onSignedIn(await signIn({ username, password, ...(askTotp ? { totp } : {}) }));
    } catch (err) {
      if (err instanceof SignInError && err.totpRequired) setAskTotp(true);
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Strata dashboard</h1>
        {props.needsSetup && (
          <p className="notice" role="note">
            No dashboard users exist yet. On the server, create the first one with{' '}
            <code>npx strata dashboard-user add &lt;name&gt;</code> (add <code>--read-only</code> for a user who can
            look but not change anything, <code>--totp</code> for a one-time code).
          </p>
        )}
        <label htmlFor="username">Username</label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        {askTotp && (
          <>
            <label htmlFor="totp">One-time code</label>
            <input
              id="totp"
              name="totp"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]{6,7}"
              value={totp}
              onChange={(e) => setTotp(e.target.value)}
              required
            />
          </>
        )}
        {error !== undefined && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
