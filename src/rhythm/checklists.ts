/**
 * The handbook's operational rhythm as data: the daily, weekly, monthly and quarterly
 * checklists, item for item. An item is either evaluated from what day2 can see (its
 * `evaluator`, with the command that shows more) or manual (a person signs it off for the
 * period). Manual items may still carry context (`context`) and name a module that does not
 * exist yet (`missingModule`): they stay manual until it does.
 */
import { localDate } from "../incident/policy-time.js";

export const CADENCES = ["daily", "weekly", "monthly", "quarterly"] as const;
export type Cadence = (typeof CADENCES)[number];

/** What an evaluated item looks at (see evaluate.ts). */
export type EvaluatorId =
  | "overnight-alerts"
  | "cluster-health"
  | "cost-trend"
  | "security-scan"
  | "critical-incidents"
  | "capacity"
  | "vulnerabilities"
  | "cost-optimisation"
  | "runbook-actions"
  | "security-audit"
  | "retrospectives";

/** Evidence a manual item shows beside its sign-off (it informs, it does not decide). */
export type ContextId = "cost-summary" | "cluster-version";

export interface ChecklistItem {
  readonly id: string;
  readonly cadence: Cadence;
  readonly title: string;
  /** The handbook's wording. */
  readonly handbook: string;
  readonly evaluator?: EvaluatorId;
  readonly context?: ContextId;
  /** The command that shows more. */
  readonly command?: string;
  /** A day2 module this item waits for; until it exists the item is manual and says so. */
  readonly missingModule?: string;
}

function item(
  cadence: Cadence,
  id: string,
  title: string,
  handbook: string,
  rest: Partial<ChecklistItem> = {},
): ChecklistItem {
  return { id, cadence, title, handbook, ...rest };
}

export const CHECKLISTS: Readonly<Record<Cadence, readonly ChecklistItem[]>> = {
  daily: [
    item("daily", "overnight-alerts", "Review overnight alerts", "Review overnight alerts", {
      evaluator: "overnight-alerts",
      command: "day2 incident list",
    }),
    item("daily", "cluster-health", "Check cluster health metrics", "Check cluster health metrics", {
      evaluator: "cluster-health",
      command: "day2 scan",
    }),
    item("daily", "cost-trends", "Monitor cost trends", "Monitor cost trends", {
      evaluator: "cost-trend",
      command: "day2 cost",
    }),
    item("daily", "security-scan", "Review security scan results", "Review security scan results", {
      evaluator: "security-scan",
      command: "day2 scan",
    }),
    item("daily", "critical-incidents", "Address critical incidents", "Address critical incidents", {
      evaluator: "critical-incidents",
      command: "day2 incident list",
    }),
  ],
  weekly: [
    item("weekly", "capacity-planning", "Capacity planning review", "Capacity planning review", {
      evaluator: "capacity",
      command: "day2 cost capacity",
    }),
    item(
      "weekly",
      "vulnerability-remediation",
      "Security vulnerability remediation",
      "Security vulnerability remediation",
      { evaluator: "vulnerabilities", command: "day2 scan" },
    ),
    item("weekly", "performance-optimisation", "Performance optimisation", "Performance optimisation", {
      command: "day2 cost rightsize",
    }),
    item("weekly", "cost-optimisation", "Cost optimisation analysis", "Cost optimisation analysis", {
      evaluator: "cost-optimisation",
      command: "day2 cost quick-wins",
    }),
    item("weekly", "runbook-updates", "Runbook updates", "Runbook updates", {
      evaluator: "runbook-actions",
      command: "day2 incident list",
    }),
  ],
  monthly: [
    item("monthly", "dr-testing", "DR testing", "Disaster recovery testing", {
      missingModule: "DR drills",
    }),
    item("monthly", "chaos-engineering", "Chaos engineering experiments", "Chaos engineering experiments", {
      missingModule: "chaos experiments",
    }),
    item("monthly", "cost-review", "Cost review with finance", "Cost review with finance", {
      context: "cost-summary",
      command: "day2 cost",
    }),
    item("monthly", "security-audit", "Security audit", "Security audit", {
      evaluator: "security-audit",
      command: "day2 scan --explain",
    }),
    item("monthly", "roadmap-review", "Platform roadmap review", "Platform roadmap review"),
  ],
  quarterly: [
    item("quarterly", "k8s-upgrade", "Kubernetes version upgrade", "Kubernetes version upgrade", {
      missingModule: "upgrades",
      context: "cluster-version",
    }),
    item("quarterly", "architecture-review", "Architecture review", "Architecture review"),
    item("quarterly", "tool-evaluation", "Tool evaluation", "Tool evaluation"),
    item("quarterly", "team-training", "Team training", "Team training"),
    item("quarterly", "incident-retrospectives", "Incident retrospectives", "Incident retrospectives", {
      evaluator: "retrospectives",
      command: "day2 incident list",
    }),
  ],
};

export function isCadence(s: string): s is Cadence {
  return (CADENCES as readonly string[]).includes(s);
}

export function findItem(cadence: Cadence, id: string): ChecklistItem | undefined {
  return CHECKLISTS[cadence].find((i) => i.id === id);
}

/**
 * The period an instant falls in, by its local date in `timeZone` (day2.yaml `rhythm.timeZone`,
 * default UTC): 2026-11-25, 2026-W48, 2026-11, 2026-Q4. One calendar for the checklist, its
 * sign-offs and the scheduled reports, so 08:00 in Tokyo on the 11th is the 11th everywhere.
 */
export function periodOf(cadence: Cadence, at: number, timeZone = "UTC"): string {
  const { year: y, month, day } = localDate(at, timeZone);
  const m = month - 1;
  const pad = (n: number): string => String(n).padStart(2, "0");
  switch (cadence) {
    case "daily":
      return `${y}-${pad(month)}-${pad(day)}`;
    case "monthly":
      return `${y}-${pad(month)}`;
    case "quarterly":
      return `${y}-Q${Math.floor(m / 3) + 1}`;
    case "weekly": {
      // ISO 8601 week of the local date: the week with the year's first Thursday is week 1.
      const t = new Date(Date.UTC(y, m, day));
      const dow = t.getUTCDay() || 7;
      t.setUTCDate(t.getUTCDate() + 4 - dow);
      const isoYear = t.getUTCFullYear();
      const week = Math.ceil(((t.getTime() - Date.UTC(isoYear, 0, 1)) / 86_400_000 + 1) / 7);
      return `${isoYear}-W${pad(week)}`;
    }
  }
}
