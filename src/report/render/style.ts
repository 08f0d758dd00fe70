/** Colour only on a TTY (and never with --no-color or NO_COLOR): a style is a set of functions. */
import pc from "picocolors";
import type { Severity } from "../../checks/index.js";

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  magenta(s: string): string;
}

const plain = (s: string): string => s;
export const PLAIN: Style = {
  bold: plain,
  dim: plain,
  red: plain,
  yellow: plain,
  green: plain,
  cyan: plain,
  magenta: plain,
};
export const COLOR: Style = {
  bold: pc.bold,
  dim: pc.dim,
  red: pc.red,
  yellow: pc.yellow,
  green: pc.green,
  cyan: pc.cyan,
  magenta: pc.magenta,
};

export function severityColor(style: Style, s: Severity): (t: string) => string {
  switch (s) {
    case "critical":
      return (t) => style.bold(style.red(t));
    case "high":
      return style.red;
    case "medium":
      return style.yellow;
    case "low":
      return style.cyan;
    default:
      return style.dim;
  }
}
