/** Report renderers by output format. */
import { stringify } from "yaml";
import type { Report } from "../report.js";
import { renderHtml } from "./html.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import { renderSarif } from "./sarif.js";
import type { Style } from "./style.js";
import { renderText, renderTextChunks } from "./text.js";

export const OUTPUT_FORMATS = [
  "table",
  "wide",
  "json",
  "yaml",
  "markdown",
  "html",
  "sarif",
  "junit",
] as const;
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

/**
 * `-o json` as a stream of chunks, byte for byte what JSON.stringify(report, null, 2) gives:
 * 167,000 findings of a 5,000-node cluster are 90 MB of text that need never exist as one
 * string next to the report they came from.
 */
export function* renderJsonChunks(report: Report): Generator<string> {
  const findings = report.findings;
  // Same key order as the report, with the findings left out to be streamed in their place.
  const head = JSON.stringify(
    Object.fromEntries(Object.entries(report).map(([k, v]) => [k, k === "findings" ? [] : v])),
    null,
    2,
  );
  const marker = '\n  "findings": []';
  const at = head.indexOf(marker);
  if (at < 0 || findings.length === 0) {
    yield JSON.stringify(report, null, 2) + "\n";
    return;
  }
  yield head.slice(0, at) + '\n  "findings": [\n';
  // Wrapped as {"findings": [...]} each batch comes out of one native call already indented
  // for its place in the report; only the wrapper's first and last lines are cut off.
  const open = '{\n  "findings": [\n';
  const close = "\n  ]\n}";
  for (let i = 0; i < findings.length; i += 1000) {
    const text = JSON.stringify({ findings: findings.slice(i, i + 1000) }, null, 2);
    const last = i + 1000 >= findings.length;
    yield text.slice(open.length, text.length - close.length) + (last ? "\n" : ",\n");
  }
  yield "  ]" + head.slice(at + marker.length) + "\n";
}

/** Writes a rendered report to a stream, chunk by chunk for JSON and tables, honouring backpressure. */
export async function writeReport(
  out: NodeJS.WritableStream,
  report: Report,
  format: OutputFormat,
  style: Style,
): Promise<void> {
  const chunks =
    format === "json"
      ? renderJsonChunks(report)
      : format === "table" || format === "wide"
        ? renderTextChunks(report, style, format === "wide")
        : [renderReport(report, format, style)];
  for (const chunk of chunks) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
}

export { COLOR, PLAIN } from "./style.js";
export type { Style } from "./style.js";
