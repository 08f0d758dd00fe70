/** Report renderers by output format. */
import { stringify } from "yaml";
import type { Report } from "../report.js";
import { renderHtml } from "./html.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import { renderSarif } from "./sarif.js";
import type { Style } from "./style.js";
import { renderText } from "./text.js";

export const OUTPUT_FORMATS = ["table", "wide", "json", "yaml", "markdown", "html", "sarif", "junit"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function renderReport(report: Report, format: OutputFormat, style: Style): string {
  switch (format) {
    case "table":
      return renderText(report, style, false);
    case "wide":
      return renderText(report, style, true);
    case "json":
      return JSON.stringify(report, null, 2) + "\n";
    case "yaml":
      return stringify(report, { aliasDuplicateObjects: false });
    case "markdown":
      return renderMarkdown(report);
    case "html":
      return renderHtml(report);
    case "sarif":
      return renderSarif(report);
    case "junit":
      return renderJunit(report);
  }
}

export { COLOR, PLAIN } from "./style.js";
export type { Style } from "./style.js";
