/** Admins broadcast `system.maintenance` to every connected user, for a start time they choose. */
import { type FormEvent, useId, useState } from "react";
import { api } from "../api.js";

export function AdminPanel({ getToken }: { getToken: () => string }) {
  const [message, setMessage] = useState("Routine maintenance tonight");
  const [startsAt, setStartsAt] = useState(defaultStart);
  const [result, setResult] = useState<string | null>(null);
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const scheduled = new Date(startsAt);
    if (Number.isNaN(scheduled.getTime())) return setResult("Not sent: choose when the maintenance starts.");
    api.maintenance(getToken(), message, scheduled.toISOString()).then(
      () => setResult("Broadcast sent."),
      (error: unknown) => setResult(`Not sent: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Admin: system broadcast</h2>
      <form onSubmit={submit} className="row">
        <label htmlFor={`${id}-message`}>Message</label>
        <input
          id={`${id}-message`}
          value={message}
          onChange={(e) => setMessage(e.currentTarget.value)}
          maxLength={280}
        />
        <label htmlFor={`${id}-starts`}>Starts at</label>
        <input
          id={`${id}-starts`}
          type="datetime-local"
          value={startsAt}
          required
          onChange={(e) => setStartsAt(e.currentTarget.value)}
        />
        <button type="submit">Broadcast maintenance notice</button>
      </form>
      {result && <p role="status">{result}</p>}
    </section>
  );
}

/** The next full hour at least 30 minutes ahead, as a datetime-local value (local time). */
function defaultStart(): string {
  const at = new Date(Date.now() + 30 * 60_000);
  at.setMinutes(60, 0, 0);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}
