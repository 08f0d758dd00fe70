/**
 * The app: restores the session from the stored token (checked with whoami), shows sign-in
 * until there is one, and renders the page the URL's hash names.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, apiFetch, explain } from "./api/client.js";
import type { WhoAmI } from "./api/types.js";
import { ErrorBox, Loading } from "./components/ErrorBox.js";
import { Layout } from "./components/Layout.js";
import { Cost } from "./pages/Cost.js";
import { Findings } from "./pages/Findings.js";
import { IncidentDetailPage } from "./pages/IncidentDetail.js";
import { Incidents } from "./pages/Incidents.js";
import { NotFound } from "./pages/NotFound.js";
import { Overview } from "./pages/Overview.js";
import { Rhythm } from "./pages/Rhythm.js";
import { SignIn } from "./pages/SignIn.js";
import { useRoute } from "./router.js";
import type { Route } from "./router.js";
import { SessionContext, storeToken, storedToken } from "./session.js";
import type { Session } from "./session.js";

type Auth =
  | { state: "checking"; token: string }
  | { state: "signed-out"; notice: string | null }
  | { state: "unreachable"; token: string; error: unknown }
  | { state: "signed-in"; token: string; user: WhoAmI };

function initial(): Auth {
  const token = storedToken();
  return token ? { state: "checking", token } : { state: "signed-out", notice: null };
}

function Page({ route }: { route: Route }) {
  const [page = "overview", id] = route.path;
  switch (page) {
    case "overview":
      return <Overview />;
    case "findings":
      return <Findings query={route.query} />;
    case "cost":
      return <Cost />;
    case "incidents":
      return id ? <IncidentDetailPage id={id} /> : <Incidents query={route.query} />;
    case "rhythm":
      return <Rhythm cadence={id ?? "daily"} />;
    default:
      return <NotFound what={`page "${page}"`} />;
  }
}

export function App() {
  const [auth, setAuth] = useState<Auth>(initial);
  const route = useRoute();

  const signOut = useCallback((reason?: string) => {
    storeToken(null);
    setAuth({ state: "signed-out", notice: reason ?? null });
  }, []);

  const check = useCallback(
    (token: string) => {
      setAuth({ state: "checking", token });
      apiFetch<WhoAmI>("/api/v1/whoami", token).then(
        (user) => setAuth({ state: "signed-in", token, user }),
        (error: unknown) => {
          if (error instanceof ApiError && error.status === 401)
            signOut(`Signed out: ${explain(error).detail}`);
          else setAuth({ state: "unreachable", token, error });
        },
      );
    },
    [signOut],
  );

  useEffect(() => {
    if (auth.state === "checking") check(auth.token);
    // Only the stored token of the first render is checked here; sign-in checks its own.
  }, []);

  const session: Session | null = useMemo(
    () => (auth.state === "signed-in" ? { token: auth.token, user: auth.user, signOut } : null),
    [auth, signOut],
  );

  if (auth.state === "checking") return <Loading what="your session" />;
  if (auth.state === "unreachable")
    return (
      <main className="signin">
        <ErrorBox error={auth.error} onRetry={() => check(auth.token)} />
      </main>
    );
  if (auth.state === "signed-out" || !session)
    return (
      <SignIn
        notice={auth.state === "signed-out" ? auth.notice : null}
        onSignedIn={(token, user) => {
          storeToken(token);
          setAuth({ state: "signed-in", token, user });
        }}
      />
    );
  return (
    <SessionContext.Provider value={session}>
      <Layout current={route.path[0] ?? "overview"}>
        <Page route={route} />
      </Layout>
    </SessionContext.Provider>
  );
}
