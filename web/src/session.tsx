/**
 * The signed-in user: the API token (kept in localStorage so a reload stays signed in), the
 * name and role GET /api/v1/whoami answered for it, and signing out. A 401 on any later call
 * means the token was revoked: the app signs out and says why.
 */
import { createContext, useContext } from "react";
import type { WhoAmI } from "./api/types.js";

const TOKEN_KEY = "day2.token";

export interface Session {
  token: string;
  user: WhoAmI;
  /** Forgets the token; `reason` is shown on the sign-in page. */
  signOut(reason?: string): void;
}

export const SessionContext = createContext<Session | null>(null);

/** The session; only pages rendered inside a signed-in app call this. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside a signed-in app");
  return s;
}

export function canRespond(user: WhoAmI): boolean {
  return user.role === "responder" || user.role === "admin";
}

export function storedToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage disabled: sign in every time
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) localStorage.removeItem(TOKEN_KEY);
    else localStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: the session lasts until reload
  }
}
