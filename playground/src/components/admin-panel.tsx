/** Admins broadcast `system.maintenance` to every connected user. */
import { type FormEvent, useId, useState } from "react";
import { api } from "../api.js";

export function AdminPanel({ getToken }: { getToken: () => string }) {
  const [message, setMessage] = useState("Routine maintenance tonight");
  const [result, setResult] = useState<string | null>(null);
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    api.maintenance(getToken(), message).then(
      () => setResult("Broadcast sent."),
      (error: unknown) => setResult(`Not sent: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Admin: system broadcast</h2>
      <form onSubmit={submit} className="row">
        <label htmlFor={id}>Message</label>
        <input id={id} value={message} onChange={(e) => setMessage(e.currentTarget.value)} maxLength={280} />
        <button type="submit">Broadcast maintenance notice</button>
      </form>
      {result && <p role="status">{result}</p>}
    </section>
  );
}
