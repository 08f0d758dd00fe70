/**
 * Noise-control hygiene: suppressions must say why, and must end. The annotation rule is an
 * ordinary rule over object annotations; the expiry rule judges day2.yaml, so its findings
 * come from src/config (see `origin: "config"`) and its evaluate yields nothing.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { Meta, ProjectedKind } from "../state/types.js";
import type { FindingDraft } from "./types.js";
import { defineRule, ref } from "./types.js";

/** `day2.dev/suppress: "rule-a,rule-b: reason text"` on an object suppresses those rules on it. */
export const SUPPRESS_ANNOTATION = "day2.dev/suppress";

export type ParsedSuppressAnnotation =
  { ok: true; rules: string[]; reason: string } | { ok: false; error: string };

const NO_OBJECTS: readonly Meta[] = Object.freeze([]);
const RULE_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Parses the annotation's value; a missing reason or a malformed rule list is an error. */
export function parseSuppressAnnotation(value: string): ParsedSuppressAnnotation {
  const colon = value.indexOf(":");
  const list = (colon < 0 ? value : value.slice(0, colon)).trim();
  const reason = colon < 0 ? "" : value.slice(colon + 1).trim();
  const rules = list
    .split(",")
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  if (rules.length === 0) return { ok: false, error: "names no rule" };
  const bad = rules.filter((r) => !RULE_ID.test(r));
  if (bad.length) return { ok: false, error: `not a rule id: ${bad.join(", ")}` };
  if (reason === "")
    return { ok: false, error: `no reason given (write "${rules.join(",")}: why this is accepted")` };
  return { ok: true, rules, reason };
}

/** The kinds whose objects findings are about, so the kinds the annotation is read on. */
export const ANNOTATED_KINDS: readonly ProjectedKind[] = [
  "Pod",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "Job",
  "CronJob",
  "Node",
  "Service",
  "PersistentVolumeClaim",
  "PodDisruptionBudget",
];

/** Objects of the annotated kinds that carry the annotation, in kind then input order; built once per state. */
function annotatedObjects(state: ClusterState): readonly Meta[] {
  return state.derive("suppress-annotated", (s) =>
    ANNOTATED_KINDS.flatMap((k) =>
      (s.list(k) as readonly Meta[]).filter((o) => o.annotations[SUPPRESS_ANNOTATION] !== undefined),
    ),
  );
}

export const suppressAnnotationInvalid = defineRule({
  id: "config-suppress-annotation-invalid",
  title: "Suppression annotation without a reason",
  severity: "low",
  category: "configuration",
  rationale: `A ${SUPPRESS_ANNOTATION} annotation must name the rules it silences and say why; one that does not suppresses nothing, so its author's intent is silently lost.`,
  fix: `Write the annotation as "rule-a,rule-b: reason", e.g. "container-run-as-root: vendor image, tracked in OPS-123".`,
  kinds: ANNOTATED_KINDS,
  // It judges the objects that carry the annotation, not every object that could.
  targets: annotatedObjects,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const o of annotatedObjects(state)) {
      const value = o.annotations[SUPPRESS_ANNOTATION]!;
      const parsed = parseSuppressAnnotation(value);
      if (parsed.ok) continue;
      out.push({
        object: ref(o),
        message: `annotation ${SUPPRESS_ANNOTATION} ${parsed.error}; it suppresses nothing`,
        evidence: { annotation: SUPPRESS_ANNOTATION, value, error: parsed.error },
      });
    }
    return out;
  },
});

export const suppressionExpired = defineRule({
  id: "config-suppression-expired",
  title: "Suppression in day2.yaml has expired",
  severity: "low",
  category: "configuration",
  rationale:
    "A suppression is a decision with a date to revisit it; past that date it no longer hides its findings, and the stale entry itself is reported so it gets renewed or removed.",
  fix: "Fix the suppressed findings and delete the entry, or renew it with a new `expires` date and an updated reason.",
  // Reads no cluster kind; Namespace is listed because every rule must name one. The
  // findings are produced by src/config from day2.yaml (origin "config").
  kinds: ["Namespace"],
  targets: () => NO_OBJECTS,
  origin: "config",
  // Judged from day2.yaml by src/config, not from the cluster.
  evaluate: (): FindingDraft[] => [],
});

export const SUPPRESSION_RULES = [suppressAnnotationInvalid, suppressionExpired];
