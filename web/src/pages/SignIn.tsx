/** Sign-in: paste an API token (`day2 token create`); it is checked with GET /api/v1/whoami. */
import { useState } from "react";
import type { FormEvent } from "react";
import { apiFetch, explain } from "../api/client.js";
import type { WhoAmI } from "../api/types.js";
import { ThemeToggle } from "../components/ThemeToggle.js";

export function SignIn({
  notice,
  onSignedIn,
}: {
  notice: string | null;
  onSignedIn: (token: string, user: WhoAmI) => void;
}) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ title: string; detail: string } | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError({ title: "No token", detail: "Paste the token that `day2 token create` printed." });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(t, await apiFetch<WhoAmI>("/api/v1/whoami", t));
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <div className="signin-theme">
        <ThemeToggle />
      </div>
      <form className="card signin-card" onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <h1 id="signin-title">
          <span className="brand">day2</span> dashboard
        </h1>
        <p className="muted">Sign in with an API token. Create one on the server with:</p>
        <pre className="cmd">day2 token create --role responder --name $USER</pre>
        {notice ? <p className="notice">{notice}</p> : null}
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          spellCheck={false}
          placeholder="day2_…"
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        {error ? (
          <div className="error-box" role="alert">
            <strong>{error.title}</strong>
            <p>{error.detail}</p>
          </div>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
        <p className="muted small">The token stays in this browser (local storage) until you sign out.</p>
      </form>
    </main>
  );
}
