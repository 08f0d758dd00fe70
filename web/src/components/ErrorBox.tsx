/** An API error as the reader should see it: what happened, and what to do next. */
import { explain } from "../api/client.js";

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { title, detail } = explain(error);
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong>
      <p>{detail}</p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}
