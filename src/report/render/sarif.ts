/**
 * SARIF 2.1.0 rendering of a report, for tools that read static-analysis results. One run;
 * the driver describes every rule the report ran (id, rationale, fix, runbook); each finding
 * is a result on a logical location, the Kubernetes object, and, when the object was read
 * from a manifest file, on a physical one too: the file (relative to the directory day2 ran
 * in, `%SRCROOT%`) and the line the object starts on, which GitHub code scanning needs to
 * show a result on the code. Rules that were not evaluated or that failed are tool execution
 * notifications, so a gap shows up instead of passing silently.
 * Fingerprints hash the rule and the object (and container), so a finding keeps its identity
 * across runs.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Sarif from "sarif";
import type { Finding, Rule, Severity } from "../../checks/index.js";
import { RULES, ruleById } from "../../checks/index.js";
import type { Report } from "../report.js";

export const SARIF_SCHEMA_URI =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/**
 * The project's home; runbook paths are resolved against it for `helpUri`, which SARIF wants
 * absolute. The `day2.dev` group of the report's apiVersion names the same place.
 */
export const DAY2_HOME = "https://day2.dev/";

/** The key of day2's own fingerprint in `partialFingerprints`; bump the version when its inputs change. */
export const FINGERPRINT_KEY = "day2/object/v1";

/**
 * The base that relative artifact URIs are relative to: the directory day2 ran in, which in
 * CI is the repository's checkout (GitHub's upload-sarif resolves it so).
 */
export const SRCROOT = "%SRCROOT%";

const require = createRequire(import.meta.url);

function day2Version(): string {
  // src/report/render (source) or dist/src/report/render (built)
  for (const p of ["../../../package.json", "../../../../package.json"]) {
    try {
      const pkg = require(p) as { name?: string; version?: string };
      if (pkg.name === "day2" && pkg.version) return pkg.version;
    } catch {
      // try the next layout
    }
  }
  return "0.0.0";
}

export function sarifLevel(s: Severity): Sarif.ReportingConfiguration.level {
  switch (s) {
    case "critical":
    case "high":
      return "error";
    case "medium":
      return "warning";
    case "low":
    case "info":
      return "note";
  }
}

/** GitHub's `security-severity` scale (0-10) for security rules; info has none. */
const SECURITY_SEVERITY: Partial<Record<Severity, string>> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
};

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects. */
export function objectPath(o: { kind: string; namespace: string; name: string }): string {
  return o.namespace ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`;
}

/** Stable across runs and machines: the rule and the object (and container) only, never the message. */
export function fingerprint(f: Pick<Finding, "rule" | "object" | "container">): string {
  const parts = [f.rule, f.object.kind, f.object.namespace, f.object.name, f.container ?? ""];
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/** The rule's metadata: the registry's when it knows the rule, else what the report itself carries. */
type RuleMeta = Pick<Rule, "id" | "title" | "severity" | "category" | "runbook"> &
  Partial<Pick<Rule, "rationale" | "fix" | "kinds">>;

function descriptor(r: RuleMeta): Sarif.ReportingDescriptor {
  const helpUri = new URL(r.runbook, DAY2_HOME).href;
  const fix = r.fix ?? r.title;
  const tags = ["kubernetes", r.category];
  const properties: Sarif.PropertyBag = { category: r.category, severity: r.severity, tags };
  if (r.category === "security" && SECURITY_SEVERITY[r.severity])
    properties["security-severity"] = SECURITY_SEVERITY[r.severity];
  if (r.kinds) properties["kinds"] = [...r.kinds];
  return {
    id: r.id,
    name: r.id,
    shortDescription: { text: r.title },
    fullDescription: { text: r.rationale ?? r.title },
    help: {
      text: `${fix}\n\nRunbook: ${r.runbook}`,
      markdown: `${fix}\n\nRunbook: [${r.runbook}](${helpUri})`,
    },
    helpUri,
    defaultConfiguration: { level: sarifLevel(r.severity) },
    properties,
  };
}

function ruleMetas(report: Report, registry: readonly Rule[]): RuleMeta[] {
  const known = new Map(registry.map((r) => [r.id, r]));
  const metas = new Map<string, RuleMeta>();
  for (const o of report.rules) {
    const r = known.get(o.rule) ?? ruleById(o.rule);
    if (r) metas.set(r.id, r);
  }
  // Findings of rules the outcomes do not list (a report assembled elsewhere) still get a descriptor.
  for (const f of report.findings) {
    if (metas.has(f.rule)) continue;
    metas.set(
      f.rule,
      known.get(f.rule) ??
        ruleById(f.rule) ?? {
          id: f.rule,
          title: f.title,
          severity: f.severity,
          category: f.category,
          runbook: f.runbook,
        },
    );
  }
  return [...metas.values()];
}

/**
 * A manifest file as a SARIF artifact location: a relative URI on `%SRCROOT%` (forward
 * slashes, each segment percent-encoded) when the file is inside `cwd`; an absolute file: URI
 * otherwise, never a path climbing out with `..`.
 */
export function artifactLocation(file: string, cwd: string): Sarif.ArtifactLocation {
  const abs = resolve(cwd, file);
  const rel = relative(cwd, abs);
  const parts = rel.split(sep);
  if (rel === "" || parts[0] === ".." || isAbsolute(rel)) return { uri: pathToFileURL(abs).href };
  return { uri: parts.map(encodeURIComponent).join("/"), uriBaseId: SRCROOT };
}

/** Physical locations for findings that carry a source location, one artifact location per file. */
function physicalLocator(cwd: string): (f: Finding) => Sarif.PhysicalLocation | undefined {
  const artifacts = new Map<string, Sarif.ArtifactLocation>();
  return (f) => {
    if (!f.location) return undefined;
    let artifact = artifacts.get(f.location.file);
    if (!artifact) artifacts.set(f.location.file, (artifact = artifactLocation(f.location.file, cwd)));
    return { artifactLocation: { ...artifact }, region: { startLine: f.location.line } };
  };
}

function result(
  f: Finding,
  ruleIndex: number,
  print: string,
  physical: Sarif.PhysicalLocation | undefined,
): Sarif.Result {
  const fqn = objectPath(f.object);
  const properties: Sarif.PropertyBag = {
    severity: f.severity,
    category: f.category,
    object: { ...f.object },
    evidence: { ...f.evidence },
    runbook: f.runbook,
  };
  if (f.container !== undefined) properties["container"] = f.container;
  return {
    ruleId: f.rule,
    ruleIndex,
    kind: "fail",
    level: sarifLevel(f.severity),
    message: {
      text: `${fqn}${f.container !== undefined ? ` (container ${f.container})` : ""}: ${f.message}`,
    },
    locations: [
      {
        ...(physical ? { physicalLocation: physical } : {}),
        logicalLocations: [{ name: f.object.name, fullyQualifiedName: fqn, kind: "resource" }],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: print },
    properties,
  };
}

const NOTIFICATIONS: Sarif.ReportingDescriptor[] = [
  {
    id: "rule-not-evaluated",
    name: "rule-not-evaluated",
    shortDescription: { text: "Rule not evaluated" },
    fullDescription: {
      text: "A kind the rule reads could not be collected (not permitted, not installed, failed, or absent from the input); the rule's objects were not judged and do not count as passed.",
    },
    defaultConfiguration: { level: "warning" },
  },
  {
    id: "rule-error",
    name: "rule-error",
    shortDescription: { text: "Rule failed" },
    fullDescription: {
      text: "The rule threw while evaluating; its objects were not judged. The rest of the run went on.",
    },
    defaultConfiguration: { level: "error" },
  },
];

export interface SarifOptions {
  /** Rule metadata for descriptors (default: the built-in registry). */
  readonly registry?: readonly Rule[];
  /** The directory relative file URIs are relative to (default: the current directory). */
  readonly cwd?: string;
}

export function toSarif(report: Report, opts: SarifOptions = {}): Sarif.Log {
  const registry = opts.registry ?? RULES;
  const cwd = opts.cwd ?? process.cwd();
  const metas = ruleMetas(report, registry);
  const index = new Map(metas.map((m, i) => [m.id, i]));
  const notifications: Sarif.Notification[] = [];
  for (const o of report.rules) {
    // Not applicable (runtime rules on static manifests) is no problem with the run.
    if (o.status === "evaluated" || o.status === "not-applicable") continue;
    const notEvaluated = o.status === "not-evaluated";
    notifications.push({
      level: notEvaluated ? "warning" : "error",
      message: {
        text: `${o.rule} ${notEvaluated ? "not evaluated" : "failed"}: ${o.reason ?? "no reason given"}`,
      },
      descriptor: { id: NOTIFICATIONS[notEvaluated ? 0 : 1]!.id, index: notEvaluated ? 0 : 1 },
      associatedRule: index.has(o.rule) ? { id: o.rule, index: index.get(o.rule)! } : { id: o.rule },
      timeUtc: report.generatedAt,
    });
  }
  // A rule may report several problems on one object (node-pressure: one per condition). Findings
  // carry no key of their own yet, so the second and later ones in report order get an ordinal:
  // stable while the same problems persist, and never merged into one alert.
  const seen = new Map<string, number>();
  const prints = report.findings.map((f) => {
    const base = fingerprint(f);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : createHash("sha256").update(`${base}\u0000${n}`).digest("hex");
  });
  const locate = physicalLocator(cwd);
  const results = report.findings.map((f, i) => result(f, index.get(f.rule)!, prints[i]!, locate(f)));
  const relativeUris = results.some(
    (r) => r.locations?.[0]?.physicalLocation?.artifactLocation?.uriBaseId === SRCROOT,
  );
  let root = pathToFileURL(cwd).href;
  if (!root.endsWith("/")) root += "/";
  const version = day2Version();
  const s = report.source;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "day2",
            informationUri: DAY2_HOME,
            version,
            semanticVersion: version,
            rules: metas.map(descriptor),
            notifications: NOTIFICATIONS,
          },
        },
        invocations: [
          {
            // A rule that threw leaves its objects unjudged: the analysis did not complete.
            executionSuccessful: !report.rules.some((o) => o.status === "error"),
            endTimeUtc: report.generatedAt,
            toolExecutionNotifications: notifications,
          },
        ],
        // Only when a result uses it: live clusters and snapshots name no file of this machine.
        ...(relativeUris ? { originalUriBaseIds: { [SRCROOT]: { uri: root } } } : {}),
        automationDetails: { id: "day2/report/" },
        results,
        properties: {
          source: { ...s },
          kubernetesVersion: report.summary.version,
          findingCounts: { ...report.findingCounts },
          coverage: report.coverage.map((c) => ({ ...c })),
        },
      },
    ],
  };
}

export function renderSarif(report: Report): string {
  return JSON.stringify(toSarif(report), null, 2) + "\n";
}
