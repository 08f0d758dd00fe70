/** Loads one API path for a page: loading, the data or the error, and a reload. */
import { useCallback, useEffect, useState } from "react";
import { useSession } from "../session.js";
import { ApiError, apiFetch } from "./client.js";
import type { RequestOptions } from "./client.js";

export type Loaded<T> =
  | { state: "loading"; data?: T; reload: () => void }
  | { state: "error"; error: unknown; data?: T; reload: () => void }
  | { state: "ok"; data: T; reload: () => void };

export function useApi<T>(path: string | null): Loaded<T> {
  const { token, signOut } = useSession();
  const [tick, setTick] = useState(0);
  const [result, setResult] = useState<{ path: string; data?: T; error?: unknown } | null>(null);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    apiFetch<T>(path, token, { signal: ctl.signal }).then(
      (data) => setResult({ path, data }),
      (error: unknown) => {
        if (ctl.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) signOut(`Signed out: ${error.message}.`);
        setResult((prev) => ({ path, error, ...(prev?.data !== undefined ? { data: prev.data } : {}) }));
      },
    );
    return () => ctl.abort();
  }, [path, token, tick, signOut]);

  const current = result && result.path === path ? result : null;
  if (current?.error !== undefined)
    return {
      state: "error",
      error: current.error,
      reload,
      ...(current.data !== undefined ? { data: current.data } : {}),
    };
  if (current && current.data !== undefined) return { state: "ok", data: current.data, reload };
  return { state: "loading", reload };
}

/** A POST (or PATCH) from a button: resolves to the answer, or to the error for the page to show. */
export function useAction(): (
  path: string,
  opts: RequestOptions,
) => Promise<{ ok: true } | { ok: false; error: unknown }> {
  const { token, signOut } = useSession();
  return useCallback(
    async (path, opts) => {
      try {
        await apiFetch<unknown>(path, token, opts);
        return { ok: true };
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) signOut(`Signed out: ${error.message}.`);
        return { ok: false, error };
      }
    },
    [token, signOut],
  );
}
