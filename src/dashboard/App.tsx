/** The page: a login form when the API asks for one, else the dashboard. */
import { useEffect, useState } from 'react';
import { api, HttpError, onUnauthorized } from './api';
import { Dashboard } from './Dashboard';
import { Login } from './views/Login';

type Auth = 'checking' | 'in' | 'login';

export function App() {
  const [auth, setAuth] = useState<Auth>('checking');
  const [user, setUser] = useState<string>();
  useEffect(() => {
    api<{ user?: string }>('GET', '/me')
      .then((me) => {
        setUser(me?.user);
        setAuth('in');
      })
      .catch((err: unknown) => {
        // 404: an API without logins (its open loopback mode, or one that predates them).
        setAuth(err instanceof HttpError && err.status === 401 ? 'login' : 'in');
      });
    return onUnauthorized(() => setAuth('login'));
  }, []);
  if (auth === 'checking') return <div className="splash">Orchestra…</div>;
  if (auth === 'login')
    return (
      <Login
        onIn={(who) => {
          setUser(who);
          setAuth('in');
        }}
      />
    );
  return <Dashboard user={user} />;
}
