/**
 * The playground app: sign in as a demo user, then the photo workspace. `?split` shows two users
 * side by side (each with its own connection), `?as=<user>` signs in directly.
 */
import { useState } from "react";
import type { Session } from "./api.js";
import { SignIn } from "./components/sign-in.js";
import { Workspace } from "./workspace.js";

export function App() {
  const params = new URLSearchParams(window.location.search);
  if (params.has("split")) {
    return (
      <div className="split">
        <UserPane initialUser="alice" label="Left pane" />
        <UserPane initialUser="bob" label="Right pane" />
      </div>
    );
  }
  return <UserPane initialUser={params.get("as") ?? undefined} label="Playground" />;
}

function UserPane({ initialUser, label }: { initialUser: string | undefined; label: string }) {
  const [session, setSession] = useState<Session | null>(null);
  return (
    <section className="pane" aria-label={label}>
      {session ? (
        <Workspace session={session} onSignOut={() => setSession(null)} />
      ) : (
        <SignIn initialUser={initialUser} onSignedIn={setSession} />
      )}
    </section>
  );
}
