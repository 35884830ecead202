/** The login form: a token in, an HttpOnly session cookie and a CSRF token back (POST /api/v1/login). */
import { useState, type FormEvent } from 'react';
import { api, setCsrfToken } from '../api';

export function Login({ onIn }: { onIn: (user?: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const answer = await api<{ user?: string; csrfToken?: string }>('POST', '/login', { token });
      setCsrfToken(answer?.csrfToken);
      setToken('');
      onIn(answer?.user);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="login" onSubmit={(e) => void submit(e)}>
      <h1>Orchestra</h1>
      <label>
        API token
        <input
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoFocus
        />
      </label>
      {error && <div className="error">{error}</div>}
      <button className="primary" disabled={!token}>
        Sign in
      </button>
    </form>
  );
}
