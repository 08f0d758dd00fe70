/** The frame of every signed-in page: the navigation, who is signed in, theme and sign out. */
import type { ReactNode } from "react";
import { useSession } from "../session.js";
import { ThemeToggle } from "./ThemeToggle.js";

export const PAGES = [
  { id: "overview", label: "Overview" },
  { id: "findings", label: "Findings" },
  { id: "cost", label: "Cost" },
  { id: "incidents", label: "Incidents" },
  { id: "rhythm", label: "Rhythm" },
] as const;

export function Layout({ current, children }: { current: string; children: ReactNode }) {
  const { user, signOut } = useSession();
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="#/overview" aria-label="day2 overview">
          day2
        </a>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} aria-current={current === p.id ? "page" : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className="user" title={`signed in as ${user.name} (${user.role})`}>
            {user.name} <span className="role">{user.role}</span>
          </span>
          <ThemeToggle />
          <button type="button" className="ghost" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">{children}</main>
    </div>
  );
}
