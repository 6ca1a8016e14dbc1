/** Upload real images (or generate a sample); the API answers at once and processing starts. */
import { useId, useRef, useState } from "react";
import { api } from "../api.js";
import { usePhotos } from "../photos-context.js";

export function UploadPanel({ getToken }: { getToken: () => string }) {
  const { dispatch } = usePhotos();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();

  const run = async (task: () => Promise<{ photoId: string; filename: string }>) => {
    setBusy(true);
    setError(null);
    try {
      const { photoId, filename } = await task();
      const ownerId = photoId.split("-")[0] ?? "";
      dispatch({ kind: "uploaded", photoId, ownerId, filename });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const uploadFiles = (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      void run(async () => ({ ...(await api.upload(getToken(), file)), filename: file.name }));
    }
    if (input.current) input.current.value = "";
  };

  return (
    <section className="panel" aria-labelledby={`${inputId}-title`}>
      <h2 id={`${inputId}-title`}>Upload photos</h2>
      <div className="row">
        <label htmlFor={inputId} className="file-label">
          Choose image files
        </label>
        <input
          id={inputId}
          ref={input}
          type="file"
          accept="image/*"
          multiple
          disabled={busy}
          onChange={(e) => uploadFiles(e.currentTarget.files)}
        />
        <button type="button" disabled={busy} onClick={() => void run(() => api.sample(getToken()))}>
          Generate a sample photo
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          Upload failed: {error}
        </p>
      )}
    </section>
  );
}
