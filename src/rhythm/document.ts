/**
 * One checklist evaluation as a document: the scheduled reports (src/collect/rhythm.ts) and
 * the server's GET /api/v1/rhythm/:cadence build it the same way from a stored run's context
 * and the store's incidents, sign-offs and cost history.
 */
import type { Cadence } from "./checklists.js";
import { evaluate } from "./evaluate.js";
import type { CostPoint, IncidentInput, RhythmInputs, Signoff } from "./evaluate.js";
import type { RhythmContext } from "./inputs.js";
import type { RhythmDoc } from "./render.js";

/** What the server's store adds to a run's context: incidents, sign-offs, the cost history. */
export interface StoredInputs {
  incidents: IncidentInput | { reason: string };
  signoffs: readonly Signoff[];
  /** Stored cost summaries since {@link costHistorySince}, oldest first. */
  costHistory?: readonly CostPoint[];
}

/**
 * The checklist evaluated at `now` on a run's context and the store's inputs, its period named
 * in `timeZone` (the schedule's), so the report, its sign-offs and the send share one calendar.
 * Without a run (nothing collected yet) only the incident and sign-off items have data.
 */
export function rhythmDocument(
  cadence: Cadence,
  now: number,
  timeZone: string,
  run: { at: number; context: RhythmContext } | undefined,
  stored: StoredInputs,
): RhythmDoc {
  const c = run?.context;
  const inputs: RhythmInputs = {
    now,
    timeZone,
    ...(c?.clusterVersion ? { clusterVersion: c.clusterVersion } : {}),
    ...(c?.scan ? { scan: c.scan } : {}),
    ...(c?.cost ? { cost: c.cost } : {}),
    ...(c?.capacity ? { capacity: c.capacity } : {}),
    ...(stored.costHistory ? { costHistory: stored.costHistory } : {}),
    incidents: stored.incidents,
    signoffs: stored.signoffs,
  };
  return {
    apiVersion: "day2.dev/v1alpha1",
    kind: "RhythmReport",
    ...evaluate(cadence, inputs),
    // Without a stored run the incident and sign-off items can still be judged.
    source: run && c ? `${c.source}, collected ${new Date(run.at).toISOString()}` : "no collection yet",
    notes: run ? [] : ["no collection stored yet: scan and cost items have no data"],
  };
}
