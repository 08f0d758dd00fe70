/**
 * The operational rhythm on schedule: after each collection (the Collector's `afterRun`, on the
 * worker leader), every cadence of day2.yaml's `rhythm:` whose time has passed in the current
 * period, and whose report for that period is not on record, is evaluated on that run's data
 * (as `day2 rhythm` evaluates it: src/rhythm/inputs.ts) and queued in the outbox for the named
 * notifiers. The record and the outbox rows are one transaction keyed by cadence and period
 * (src/store/rhythm-reports.ts), so a restart or a new leader sends nothing twice; the incident
 * engine's outbox worker delivers, signs, retries and dead-letters them like any notification.
 */
import { RHYTHM_EVENT } from "../incident/notify-rhythm.js";
import type { RhythmNotification } from "../incident/notify-rhythm.js";
import { PLAIN } from "../report/render/style.js";
import type { Cadence } from "../rhythm/checklists.js";
import { costHistorySince } from "../rhythm/evaluate.js";
import { rhythmDocument } from "../rhythm/document.js";
import type { Signoff } from "../rhythm/evaluate.js";
import type { RhythmContext } from "../rhythm/inputs.js";
import { storeIncidentInput } from "../rhythm/inputs.js";
import type { IncidentReads } from "../rhythm/inputs.js";
import { rhythmHtml, rhythmMarkdown, rhythmTable } from "../rhythm/render.js";
import type { RhythmDoc } from "../rhythm/render.js";
import type { Occurrence } from "../rhythm/schedule.js";
import { dueOccurrence } from "../rhythm/schedule.js";
import type { RhythmFormat, RhythmScheduleConfig } from "../rhythm/schedule-config.js";
import { costHistory } from "../store/collections.js";
import type { StoreDb } from "../store/db.js";
import { recordRhythmReport, rhythmReportSent } from "../store/rhythm-reports.js";
import { listRhythmSignoffs } from "../store/rhythm.js";
import type { CollectorLog, RunOutcome } from "./loop.js";

/** The occurrences due at `now`, one per configured cadence whose time has passed this period. */
export function dueReports(schedule: RhythmScheduleConfig, now: number): Occurrence[] {
  return schedule.times.flatMap((t) => {
    const o = dueOccurrence(t, now, schedule.timeZone);
    return o ? [o] : [];
  });
}

export function renderReport(doc: RhythmDoc, format: RhythmFormat): string {
  switch (format) {
    case "markdown":
      return rhythmMarkdown(doc);
    case "html":
      return rhythmHtml(doc);
    case "table":
      return rhythmTable(doc, PLAIN);
  }
}

/** The message one report becomes (the outbox payload; rendered per target at delivery). */
export function rhythmNotification(
  doc: RhythmDoc,
  due: Occurrence,
  schedule: RhythmScheduleConfig,
  now: number,
  link?: string,
): RhythmNotification {
  const time = schedule.times.find((t) => t.cadence === due.cadence)?.text ?? "";
  return {
    event: RHYTHM_EVENT,
    cadence: doc.cadence,
    period: doc.period,
    schedule: { period: due.period, at: due.at, timeZone: schedule.timeZone, time },
    at: now,
    source: doc.source,
    counts: doc.counts,
    items: doc.items.map((i) => ({
      id: i.id,
      title: i.title,
      kind: i.kind,
      status: i.status,
      evidence: i.evidence,
      ...(i.command ? { command: i.command } : {}),
    })),
    report: { format: schedule.format, text: renderReport(doc, schedule.format) },
    ...(link ? { link } : {}),
  };
}

export interface RhythmSenderOptions {
  /** The server's store: incidents, sign-offs, the report record and the outbox. */
  store: { raw: StoreDb } & IncidentReads;
  schedule: RhythmScheduleConfig;
  /** The dashboard's base URL when day2.yaml gives no rhythm.link (the server's address once it listens). */
  link?: () => string | undefined;
  log: CollectorLog;
  now?: () => number;
}

/** What one call queued, for the log and tests. */
export interface QueuedReport {
  cadence: Cadence;
  period: string;
  targets: readonly string[];
}

/**
 * Sends what is due after a collection run; call it from the Collector's `afterRun`. A failed
 * run has no data to evaluate: what is due waits for the next successful one.
 */
export async function sendDueReports(opts: RhythmSenderOptions, run: RunOutcome): Promise<QueuedReport[]> {
  const now = (opts.now ?? Date.now)();
  const { store, schedule, log } = opts;
  const queued: QueuedReport[] = [];
  for (const due of dueReports(schedule, now)) {
    if (await rhythmReportSent(store.raw, due.cadence, due.period)) continue;
    const context = run.collected?.input.context as RhythmContext | undefined;
    if (!run.ok || !context) {
      log.warn(`rhythm: the ${due.cadence} report for ${due.period} waits for a successful collection`);
      continue;
    }
    // due.period is the local period of `now` in the schedule's zone: the checklist's too.
    const signoffs = await listRhythmSignoffs(store.raw, { cadence: due.cadence, period: due.period });
    const doc = rhythmDocument(
      due.cadence,
      now,
      schedule.timeZone,
      { at: run.at, context },
      {
        incidents: await storeIncidentInput(store, now),
        signoffs: signoffs.map((s): Signoff => ({ ...s, cadence: s.cadence as Cadence })),
        costHistory: await costHistory(store.raw, costHistorySince(now)),
      },
    );
    const base = schedule.link ?? opts.link?.();
    const n = rhythmNotification(doc, due, schedule, now, base ? `${base}/#/rhythm` : undefined);
    const recorded = await recordRhythmReport(
      store.raw,
      {
        cadence: due.cadence,
        period: due.period,
        scheduledAt: due.at,
        sentAt: now,
        runAt: run.at,
        targets: [...schedule.notify],
        report: doc,
      },
      schedule.notify.map((target) => ({ target, event: RHYTHM_EVENT, payload: n })),
    );
    // Not recorded: another replica got there first (the record is the once-only guard).
    if (!recorded) continue;
    log.info(
      `rhythm: the ${due.cadence} report for ${due.period} (${doc.counts.attention} need attention) queued for ${schedule.notify.join(", ")}`,
    );
    queued.push({ cadence: due.cadence, period: due.period, targets: schedule.notify });
  }
  return queued;
}

/** One line for the server's log: what is sent when, and to whom. */
export function scheduleLine(schedule: RhythmScheduleConfig): string {
  const when = schedule.times.map((t) => `${t.cadence} ${t.text}`).join(", ");
  return `rhythm: ${when} (${schedule.timeZone}) to ${schedule.notify.join(", ")}, after the collection that follows`;
}

/** The Collector's `afterRun` for `day2 serve`: sends what is due; errors go to the log. */
export function rhythmAfterRun(opts: RhythmSenderOptions): (run: RunOutcome) => Promise<void> {
  return async (run) => {
    try {
      await sendDueReports(opts, run);
    } catch (e) {
      opts.log.warn(`rhythm: scheduled reports failed: ${(e as Error).message}`);
    }
  };
}
