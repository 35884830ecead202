/** The page: a login form when the API asks for one, else the dashboard. */
import { useEffect, useState } from 'react';
import { api, HttpError, onUnauthorized, setCsrfToken } from './api';
import { Dashboard } from './Dashboard';
import { forgetAll } from './sync';
import { Login } from './views/Login';

interface Me {
  user?: string;
  via?: 'open' | 'bearer' | 'cookie';
  csrfToken?: string;
}

type Auth = 'checking' | 'in' | 'login';

export function App() {
  const [auth, setAuth] = useState<Auth>('checking');
  const [user, setUser] = useState<string>();
  /** Signed in by cookie: the page offers to sign out. */
  const [signedIn, setSignedIn] = useState(false);
  useEffect(() => {
    api<Me>('GET', '/me')
      .then((me) => {
        setUser(me?.user);
        setSignedIn(me?.via === 'cookie');
        setCsrfToken(me?.csrfToken);
        setAuth('in');
      })
      .catch((err: unknown) => {
        // 404: an API without logins (its open loopback mode, or one that predates them).
        setAuth(err instanceof HttpError && err.status === 401 ? 'login' : 'in');
      });
    return onUnauthorized(() => {
      // Signed out elsewhere, expired, or refused: nothing of this user's stays on the page.
      setCsrfToken(undefined);
      forgetAll();
      setAuth('login');
    });
  }, []);
  const signOut = async () => {
    await api('POST', '/logout').catch(() => undefined);
    setCsrfToken(undefined);
    forgetAll();
    // The agent open was this user's; a link opened while signed out is kept through the login.
    history.replaceState(null, '', location.pathname);
    setUser(undefined);
    setSignedIn(false);
    setAuth('login');
  };
  if (auth === 'checking') return <div className="splash">Orchestra…</div>;
  if (auth === 'login')
    return (
      <Login
        onIn={(who) => {
          forgetAll();
          setUser(who);
          setSignedIn(true);
          setAuth('in');
        }}
      />
    );
  return <Dashboard user={user} onSignOut={signedIn ? () => void signOut() : undefined} />;
}
