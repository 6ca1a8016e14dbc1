/**
 * A signed-in user's workspace: one event-bus connection (EventBusProvider) feeding every panel.
 * The token is fetched again from the demo backend before every (re)connect.
 */
import { localStorageOutbox } from "@shared-infra/event-bus/client";
import { EventBusProvider } from "@shared-infra/event-bus/react";

import { useMemo, useRef } from "react";
import type { PlaygroundEvents } from "../shared/playground-events.js";
import { api, type Session } from "./api.js";
import { AdminPanel } from "./components/admin-panel.js";
import { AuditPanel } from "./components/audit-panel.js";
import { BroadcastBanner } from "./components/broadcast-banner.js";
import { ConnectionBadge } from "./components/connection-badge.js";
import { EventInspector } from "./components/event-inspector.js";
import { Notifications } from "./components/notifications.js";
import { OfflineSwitch } from "./components/offline-switch.js";
import { PhotoList } from "./components/photo-list.js";
import { PhotoRoom } from "./components/photo-room.js";
import { SseView } from "./components/sse-view.js";
import { UploadPanel } from "./components/upload-panel.js";
import { WebhookPanel } from "./components/webhook-panel.js";
import { PhotosProvider } from "./photos-context.js";

export function Workspace({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const token = useRef(session.token);
  const userId = session.user.id;
  const options = useMemo(
    () => ({
      url: window.location.origin,
      getToken: async () => {
        const fresh = await api.signIn(userId);
        token.current = fresh.token;
        return fresh.token;
      },
      outbox: { storage: localStorageOutbox({ prefix: `playground-outbox:${userId}:` }) },
    }),
    [userId],
  );
  const getToken = () => token.current;
  return (
    <EventBusProvider<PlaygroundEvents> options={options}>
      <PhotosProvider getToken={getToken} userId={userId}>
        <header className="topbar">
          <div className="who">
            <span className="avatar" style={{ background: session.user.color }} aria-hidden="true">
              {session.user.name.slice(0, 1)}
            </span>
            <span>
              Signed in as <strong>{session.user.name}</strong>
            </span>
          </div>
          <ConnectionBadge />
          <OfflineSwitch />
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </header>
        <BroadcastBanner />
        <main className="workspace">
          <div className="column">
            <UploadPanel getToken={getToken} />
            <PhotoList />
          </div>
          <div className="column">
            <PhotoRoom getToken={getToken} userName={session.user.name} />
            <Notifications />
            <AuditPanel getToken={getToken} />
            <WebhookPanel getToken={getToken} />
            {session.user.roles.includes("admin") && <AdminPanel getToken={getToken} />}
            <SseView userId={userId} getToken={getToken} />
          </div>
        </main>
        <EventInspector />
      </PhotosProvider>
    </EventBusProvider>
  );
}
