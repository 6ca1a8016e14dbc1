/** Demo sign-in: pick a demo user (no password — demo only). */
import { useEffect, useId, useState } from "react";
import { api, type DemoUser, type Session } from "../api.js";

export function SignIn({
  initialUser,
  onSignedIn,
}: {
  initialUser: string | undefined;
  onSignedIn: (session: Session) => void;
}) {
  const [users, setUsers] = useState<DemoUser[]>([]);
  const [error, setError] = useState<string | null>(null);
  const headingId = useId();

  useEffect(() => {
    let active = true;
    api.users().then(
      (list) => active && setUsers(list),
      (e: unknown) => active && setError(String(e)),
    );
    return () => {
      active = false;
    };
  }, []);

  useEffect(() => {
    if (!initialUser) return;
    let active = true;
    api.signIn(initialUser).then(
      (session) => active && onSignedIn(session),
      (e: unknown) => active && setError(String(e)),
    );
    return () => {
      active = false;
    };
  }, [initialUser, onSignedIn]);

  const signIn = (userId: string) => {
    setError(null);
    api.signIn(userId).then(onSignedIn, (e: unknown) => setError(String(e)));
  };

  return (
    <section className="sign-in" aria-labelledby={headingId}>
      <h1 id={headingId}>Photo platform — live event bus demo</h1>
      <p>
        Sign in as a demo user. <strong>Demo only:</strong> no password; the backend mints a short-lived token
        that the relay verifies.
      </p>
      <div className="user-buttons">
        {users.map((user) => (
          <button
            key={user.id}
            type="button"
            onClick={() => signIn(user.id)}
            style={{ borderColor: user.color }}
          >
            Sign in as {user.name}
          </button>
        ))}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
