/** Switches between light and dark (starting from the system's preference). */
import { useState } from "react";
import { applyTheme, effectiveTheme, storedTheme } from "../theme.js";
import type { ThemeChoice } from "../theme.js";

export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(storedTheme);
  const now = effectiveTheme(choice);
  const next = now === "dark" ? "light" : "dark";
  return (
    <button
      type="button"
      className="ghost"
      aria-label={`Switch to ${next} mode`}
      title={`Switch to ${next} mode`}
      onClick={() => {
        applyTheme(next);
        setChoice(next);
      }}
    >
      <span aria-hidden="true">{now === "dark" ? "☀" : "☾"}</span> {next === "dark" ? "Dark" : "Light"}
    </button>
  );
}
