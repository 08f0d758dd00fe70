/**
 * The incident retrospectives of a monthly review: the month's incidents by priority and per
 * day, MTTR and MTBF over the month (the KPI definitions, src/kpi/compute/incidents.ts), what
 * each published review says went wrong and right, and the state of their action items.
 * Pure: incidents, reviews and action items in, plain data out.
 *
 * An action item is done when closed, overdue when open past its due time at `now` (the time
 * the review is made, not the month's end: stakeholders want today's state), else open.
 */
import { mtbfKpi, mttrKpi } from "../kpi/compute/incidents.js";
import type { ActionItem, Incident, Priority } from "../incident/types.js";
import { dayLabels, type Month } from "./month.js";

export interface ReviewDoc {
  incidentId: string;
  /** The review document (Markdown, as `day2 incident review` publishes it). */
  body: string;
}

export interface IncidentSectionInput {
  month: Month;
  /** Incidents from at least the month (others are left out here). */
  incidents: readonly Incident[];
  reviews: readonly ReviewDoc[];
  actionItems: readonly ActionItem[];
  now: number;
  source: string;
}

export type ActionState = "open" | "done" | "overdue";

export interface Retrospective {
  incidentId: string;
  title: string;
  priority: Priority;
  createdAt: string;
  wentWrong: string[];
  wentRight: string[];
}

export interface ActionItemRow {
  id: string;
  incidentId: string;
  title: string;
  owner: string | null;
  due: string | null;
  state: ActionState;
}

export interface IncidentSection {
  source: string;
  total: number;
  byPriority: Record<Priority, number>;
  perDay: { day: string; count: number }[];
  mttrMinutes: number | null;
  mtbfHours: number | null;
  /** Why MTTR / MTBF have no value. */
  notes: string[];
  retrospectives: Retrospective[];
  /** Resolved P0/P1 incidents of the month without a published review. */
  unreviewed: { incidentId: string; title: string; priority: Priority }[];
  actionItems: { counts: Record<ActionState, number>; items: ActionItemRow[] };
}

const PRIORITIES: readonly Priority[] = ["P0", "P1", "P2", "P3"];
const PLACEHOLDER = /^_.*_$/;

/** The bullets under a "## heading" of a review document (placeholders such as _to be filled in_ left out). */
export function sectionBullets(body: string, heading: RegExp): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of body.split(/\r?\n/)) {
    if (line.startsWith("## ")) {
      inside = heading.test(line.slice(3).trim());
      continue;
    }
    if (!inside) continue;
    const m = /^\s*[-*]\s+(.*)$/.exec(line);
    if (m && m[1]!.trim() && !PLACEHOLDER.test(m[1]!.trim())) out.push(m[1]!.trim());
  }
  return out;
}

export function actionState(a: ActionItem, now: number): ActionState {
  if (a.closedAt !== undefined) return "done";
  return a.dueAt !== undefined && a.dueAt < now ? "overdue" : "open";
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function buildIncidentSection(i: IncidentSectionInput): IncidentSection {
  const { month } = i;
  const inMonth = i.incidents.filter((x) => x.createdAt >= month.start && x.createdAt < month.end);
  const byPriority: Record<Priority, number> = { P0: 0, P1: 0, P2: 0, P3: 0 };
  for (const x of inMonth) byPriority[x.priority]++;
  const days = dayLabels(month);
  const perDay = days.map((day) => ({ day, count: 0 }));
  for (const x of inMonth) perDay[Math.floor((x.createdAt - month.start) / 86_400_000)]!.count++;
  // MTTR and MTBF as the KPIs define them, over the month; earlier incidents still count as downtime.
  const history = {
    incidents: [...i.incidents],
    window: { from: month.start, to: month.end },
    source: i.source,
  };
  const mttr = mttrKpi(history);
  const mtbf = mtbfKpi(history);
  const notes = [
    ...(mttr.value === null ? [`MTTR: ${mttr.reason ?? "no data"}`] : []),
    ...(mtbf.value === null ? [`MTBF: ${mtbf.reason ?? "no data"}`] : []),
  ];
  const ids = new Set(inMonth.map((x) => x.id));
  const byId = new Map(inMonth.map((x) => [x.id, x]));
  const reviewed = new Set<string>();
  const retrospectives: Retrospective[] = [];
  for (const r of i.reviews) {
    const inc = byId.get(r.incidentId);
    if (!inc) continue;
    reviewed.add(inc.id);
    retrospectives.push({
      incidentId: inc.id,
      title: inc.title,
      priority: inc.priority,
      createdAt: iso(inc.createdAt),
      wentWrong: sectionBullets(r.body, /went (badly|wrong)/i),
      wentRight: sectionBullets(r.body, /went (well|right)/i),
    });
  }
  retrospectives.sort(
    (a, b) => a.priority.localeCompare(b.priority) || a.createdAt.localeCompare(b.createdAt),
  );
  const unreviewed = inMonth
    .filter(
      (x) =>
        (x.priority === "P0" || x.priority === "P1") && x.resolvedAt !== undefined && !reviewed.has(x.id),
    )
    .map((x) => ({ incidentId: x.id, title: x.title, priority: x.priority }));
  const counts: Record<ActionState, number> = { open: 0, done: 0, overdue: 0 };
  const items: ActionItemRow[] = [];
  for (const a of i.actionItems) {
    if (!ids.has(a.incidentId)) continue;
    const state = actionState(a, i.now);
    counts[state]++;
    items.push({
      id: a.id,
      incidentId: a.incidentId,
      title: a.title,
      owner: a.owner ?? null,
      due: a.dueAt === undefined ? null : iso(a.dueAt),
      state,
    });
  }
  const order: Record<ActionState, number> = { overdue: 0, open: 1, done: 2 };
  items.sort((a, b) => order[a.state] - order[b.state] || (a.due ?? "~").localeCompare(b.due ?? "~"));
  return {
    source: i.source,
    total: inMonth.length,
    byPriority,
    perDay,
    mttrMinutes: mttr.value,
    mtbfHours: mtbf.value,
    notes,
    retrospectives,
    unreviewed,
    actionItems: { counts, items },
  };
}

export { PRIORITIES };
