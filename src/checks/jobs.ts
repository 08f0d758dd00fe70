/** Batch workloads: failed Jobs, finished Jobs left behind, CronJobs that do not succeed. */
import type { CronJob, Job } from "../state/types.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { FindingDraft } from "./types.js";
import { defineRule, ref } from "./types.js";
import { cronPeriodMinutes, formatMinutes, minutesSince } from "./util.js";

/** Periods without a success before a CronJob's last success counts as old. */
const MISSED_PERIODS = 3;
/** Never less than this, so an every-minute job is not flagged for a short blip. */
const MIN_SUCCESS_AGE_MIN = 60;

/** A finished Job's time: completion, else the Failed condition's transition. */
function finishedAt(j: Job): number | undefined {
  return j.completionTime ?? j.failedCondition?.lastTransition;
}

function cronJobOf(state: ClusterState, j: Job): CronJob | undefined {
  return j.owner?.kind === "CronJob" ? state.get("CronJob", j.namespace, j.owner.name) : undefined;
}

export const jobFailed = defineRule({
  id: "job-failed",
  title: "Job failed",
  severity: "high",
  category: "health",
  rationale:
    "A failed Job did not do its work (a backup, a migration, a report) and will not retry: it hit its backoffLimit or activeDeadlineSeconds.",
  fix: "Read the failed pod's logs and events, fix the cause, then delete and recreate the Job (or wait for the CronJob's next run).",
  kinds: ["Job", "CronJob", "Pod"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const j of state.list("Job")) {
      const failed = j.failedCondition;
      if (!failed) continue;
      // A CronJob that succeeded since has moved on; this failure is history it keeps.
      const cron = cronJobOf(state, j);
      const at = failed.lastTransition ?? j.startTime;
      if (cron?.lastSuccessfulTime !== undefined && at !== undefined && cron.lastSuccessfulTime > at)
        continue;
      const pod = state.podsOf(j).find((p) => p.phase === "Failed") ?? state.podsOf(j)[0];
      const exit = pod?.statuses.find((c) => c.state === "terminated" && (c.exitCode ?? 0) !== 0);
      out.push({
        object: ref(j),
        message: `job failed: ${failed.reason ?? "Failed"}${failed.message ? ` (${failed.message})` : ""}; ${j.failed} failed pods, backoffLimit ${j.backoffLimit}`,
        evidence: {
          reason: failed.reason ?? "Failed",
          failedPods: j.failed,
          backoffLimit: j.backoffLimit,
          pod: pod?.name ?? "",
          exitCode: exit?.exitCode ?? "unknown",
          cronJob: cron?.name ?? "",
        },
      });
    }
    return out;
  },
});

export const jobNoTtl = defineRule({
  id: "job-no-ttl",
  title: "Finished Job without ttlSecondsAfterFinished",
  severity: "low",
  category: "configuration",
  rationale:
    "A finished Job and its pods stay forever unless something deletes them: they pile up in etcd, in every list, and in the scanner's findings.",
  fix: "Set spec.ttlSecondsAfterFinished (e.g. 86400) so the TTL controller removes the Job a day after it finishes; CronJobs use their history limits instead.",
  kinds: ["Job"],
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const j of state.list("Job")) {
      // Jobs of CronJobs are pruned by the CronJob's history limits.
      if (j.owner || j.ttlSecondsAfterFinished !== undefined) continue;
      if (!j.complete && !j.failedCondition) continue;
      const since = minutesSince(ctx.now, finishedAt(j));
      out.push({
        object: ref(j),
        message: `finished ${since === undefined ? "" : `${formatMinutes(since)} ago `}and has no ttlSecondsAfterFinished: it stays until deleted by hand`,
        evidence: { status: j.complete ? "Complete" : "Failed", finishedMinutesAgo: since ?? "unknown" },
      });
    }
    return out;
  },
});

export const cronNeverSucceeded = defineRule({
  id: "cronjob-never-succeeded",
  title: "CronJob has never succeeded",
  severity: "medium",
  category: "health",
  rationale:
    "A CronJob that has been scheduled but never completed a run has never done its job: the backups, reports or cleanups it stands for do not exist.",
  fix: "Look at its latest Job's pods and logs; run it by hand (kubectl create job --from=cronjob/<name>) until it succeeds.",
  kinds: ["CronJob", "Job"],
  runtime: true,
  requires: ["Job"],
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const c of state.list("CronJob")) {
      if (c.suspend || c.lastScheduleTime === undefined || c.lastSuccessfulTime !== undefined) continue;
      const jobs = state.children(c).filter((o): o is Job => o.kind === "Job");
      // Still running its first attempt: not a failure yet.
      if (jobs.some((j) => j.complete) || (jobs.length > 0 && jobs.every((j) => !j.failedCondition)))
        continue;
      const since = minutesSince(ctx.now, c.createdAt);
      out.push({
        object: ref(c),
        message: `scheduled (last at ${new Date(c.lastScheduleTime).toISOString()}) but no run has ever succeeded${since !== undefined ? ` in ${formatMinutes(since)}` : ""}`,
        evidence: {
          schedule: c.schedule,
          lastSchedule: new Date(c.lastScheduleTime).toISOString(),
          failedJobs: jobs.filter((j) => j.failedCondition).length,
          active: c.active,
        },
      });
    }
    return out;
  },
});

export const cronSuccessOld = defineRule({
  id: "cronjob-last-success-old",
  title: "CronJob's last success is old",
  severity: "medium",
  category: "health",
  rationale:
    "When a CronJob's last success is several schedule periods old, its recent runs failed or were never started (missed schedules, concurrencyPolicy Forbid behind a hung run).",
  fix: "Check the latest Jobs and their pods; look for a hung active Job, a startingDeadlineSeconds too short, or failing runs.",
  kinds: ["CronJob"],
  runtime: true,
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const c of state.list("CronJob")) {
      if (c.suspend || c.lastSuccessfulTime === undefined) continue;
      const period = cronPeriodMinutes(c.schedule);
      if (period === undefined) continue; // cronjob-invalid-schedule reports it
      const since = minutesSince(ctx.now, c.lastSuccessfulTime)!;
      const limit = Math.max(MIN_SUCCESS_AGE_MIN, MISSED_PERIODS * period);
      if (since <= limit) continue;
      out.push({
        object: ref(c),
        message: `last success ${formatMinutes(since)} ago, more than ${MISSED_PERIODS} periods of "${c.schedule}"`,
        evidence: {
          schedule: c.schedule,
          lastSuccessMinutesAgo: since,
          limitMinutes: limit,
          active: c.active,
        },
      });
    }
    return out;
  },
});

export const cronSuspended = defineRule({
  id: "cronjob-suspended",
  title: "CronJob suspended",
  severity: "info",
  category: "configuration",
  rationale: "A suspended CronJob does not run; fine during maintenance, a silent gap when forgotten.",
  fix: "Resume it (spec.suspend: false) or delete it if it is no longer needed.",
  kinds: ["CronJob"],
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const c of state.list("CronJob")) {
      if (!c.suspend) continue;
      const last = minutesSince(ctx.now, c.lastScheduleTime);
      out.push({
        object: ref(c),
        message: `suspended${last !== undefined ? `; last scheduled ${formatMinutes(last)} ago` : ""}`,
        evidence: { schedule: c.schedule, lastScheduleMinutesAgo: last ?? "never" },
      });
    }
    return out;
  },
});

export const cronInvalidSchedule = defineRule({
  id: "cronjob-invalid-schedule",
  title: "CronJob schedule cannot be parsed",
  severity: "high",
  category: "configuration",
  rationale:
    "The CronJob controller does not run a CronJob whose schedule it cannot parse: the job silently never happens.",
  fix: "Fix spec.schedule to five cron fields (minute hour day-of-month month day-of-week) or an @hourly/@daily-style macro.",
  kinds: ["CronJob"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const c of state.list("CronJob")) {
      if (cronPeriodMinutes(c.schedule) !== undefined) continue;
      out.push({
        object: ref(c),
        message: `schedule "${c.schedule}" is not a valid cron expression`,
        evidence: { schedule: c.schedule },
      });
    }
    return out;
  },
});

export const JOB_RULES = [
  jobFailed,
  jobNoTtl,
  cronNeverSucceeded,
  cronSuccessOld,
  cronSuspended,
  cronInvalidSchedule,
];
