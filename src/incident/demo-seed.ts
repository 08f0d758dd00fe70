/**
 * `day2 serve --demo`: the demo incident history (demo.ts) as a store import, and the demo's
 * `incidents:` config for the engine. Seeding happens once: only into a store that holds no
 * incident yet, so a second start adds nothing.
 */
import type { HistoryImport, HistoryImportResult, Store } from "../store/index.js";
import { demoIncidentHistory, type DemoIncidentHistory } from "./demo.js";
import { demoIncidentsDoc } from "./demo-config.js";
import { parseIncidents, type IncidentsConfig } from "./policy-config.js";

/** Days of history `day2 serve --demo` seeds. */
export const DEMO_DAYS = 90;

/**
 * The history as store rows, ids and times kept. Schedules are stored as the engine stores
 * configured ones (name = schedule id, config = the schedule with its rotations and
 * overrides), so their overrides are not repeated as override rows. Action items were
 * created at their incident's review.
 */
export function demoHistoryImport(h: DemoIncidentHistory, now: number): HistoryImport {
  const reviewedAt = new Map(h.incidents.map((i) => [i.id, i.reviewedAt ?? i.resolvedAt ?? i.createdAt]));
  return {
    incidents: h.incidents,
    alerts: h.alerts,
    timeline: h.timeline,
    actionItems: h.actionItems.map((a) => ({ ...a, createdAt: reviewedAt.get(a.incidentId) ?? now })),
    reviews: h.reviews.map((r) => ({ incidentId: r.incidentId, body: r.markdown, createdAt: r.createdAt })),
    schedules: h.schedules.map((s) => ({ id: `sch-demo-${s.id}`, name: s.id, config: s, updatedAt: now })),
    maintenance: h.maintenance.map((w, i) => ({
      id: w.id ?? `mw-demo-${i + 1}`,
      name: w.comment,
      matchers: w.matchers.map((m) => ({ name: m.name, op: m.op, value: m.value })),
      startsAt: w.startsAt,
      endsAt: w.endsAt,
      createdBy: w.createdBy,
      createdAt: w.startsAt,
    })),
  };
}

/**
 * The demo's `incidents:` config (schedules, escalation policies, policy) relative to `now`.
 * Its maintenance windows are left out: the seeded store holds them (listed once, not twice).
 */
export function demoIncidentsConfig(now: number, days = DEMO_DAYS): IncidentsConfig {
  const { maintenance: _stored, ...doc } = demoIncidentsDoc(now, days);
  return parseIncidents(doc);
}

export interface DemoSeed {
  /** False when the store already held incidents (nothing was written). */
  imported: boolean;
  counts: HistoryImportResult["counts"];
  seed: number;
  now: number;
}

/** Seeds `store` with `days` of demo history up to `now`, unless it holds incidents already. */
export async function seedDemo(
  store: Store,
  options: { seed: number; now: number; days?: number },
): Promise<DemoSeed> {
  const days = options.days ?? DEMO_DAYS;
  const empty = (await store.listIncidents({}, { limit: 1 })).total === 0;
  if (!empty) return { imported: false, counts: emptyCounts(), seed: options.seed, now: options.now };
  const history = demoIncidentHistory({ seed: options.seed, now: options.now, days });
  const result = await store.importHistory(demoHistoryImport(history, options.now), { ifEmpty: true });
  return {
    imported: result.imported,
    counts: result.imported ? result.counts : emptyCounts(),
    seed: options.seed,
    now: options.now,
  };
}

function emptyCounts(): HistoryImportResult["counts"] {
  return {
    incidents: 0,
    alerts: 0,
    timeline: 0,
    actionItems: 0,
    reviews: 0,
    schedules: 0,
    overrides: 0,
    maintenance: 0,
  };
}
