/** The monthly review document: `day2 review monthly -o json` prints it as it is. */
import type { SuccessCriterion } from "../success/criteria.js";
import type { CostSection } from "./cost.js";
import type { IncidentSection } from "./incidents.js";
import type { PerformanceSection } from "./performance.js";
import type { SecuritySection } from "./security.js";

export interface MonthlyReview {
  apiVersion: "day2.dev/v1alpha1";
  kind: "MonthlyReview";
  /** "2026-10". */
  month: string;
  period: { start: string; end: string };
  generatedAt: string;
  /** The cluster source line. */
  source: string;
  incidents: IncidentSection;
  cost: CostSection;
  performance: PerformanceSection;
  security: SecuritySection;
  /** The success criteria judged from the month's KPIs and the sign-offs. */
  success: SuccessCriterion[];
  notes: string[];
}
