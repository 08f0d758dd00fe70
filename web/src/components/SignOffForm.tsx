/**
 * Signs off a manual item (a rhythm checklist item or a success criterion) for its current
 * period, with an optional note: POST /api/v1/rhythm/signoffs as the signed-in responder.
 */
import { useState } from "react";
import type { FormEvent } from "react";
import { useAction } from "../api/useApi.js";
import { ErrorBox } from "./ErrorBox.js";

export function SignOffForm({
  itemId,
  title,
  onDone,
}: {
  itemId: string;
  title: string;
  onDone: () => void;
}) {
  const act = useAction();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await act("/api/v1/rhythm/signoffs", {
      method: "POST",
      body: { itemId, ...(note.trim() ? { note: note.trim() } : {}) },
    });
    setBusy(false);
    if (r.ok) {
      setNote("");
      onDone();
    } else setError(r.error);
  }
  return (
    <form className="signoff" onSubmit={(e) => void submit(e)} aria-label={`Sign off ${title}`}>
      <label htmlFor={`note-${itemId}`} className="sr-only">
        Note for {title}
      </label>
      <input
        id={`note-${itemId}`}
        placeholder="Note (optional)"
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      <button type="submit" disabled={busy}>
        {busy ? "Signing…" : "Sign off"}
      </button>
      {error ? <ErrorBox error={error} /> : null}
    </form>
  );
}
