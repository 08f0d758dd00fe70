/**
 * The demo incident history: deterministic per seed, internally consistent (timelines agree
 * with the incidents, alerts with their incidents, priorities with the policy), and shaped so
 * the figures and KPI trends have something to show.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DEMO_NOW_MS } from "../demo/format.js";
import { alertFingerprint, groupKeyOf } from "./demo-catalog.js";
import { BusinessClock } from "./demo-lifecycle.js";
import { demoIncidentHistory } from "./demo.js";
import { escalationPolicyFor, resolveTargets } from "./escalation.js";
import { incidentFigures } from "./figures.js";
import { inMaintenance } from "./maintenance.js";
import { DEFAULT_POLICY } from "./policy-config.js";
import { ackDeadline, isBusinessHours, nextBusinessStart, pagingStart, priorityFor } from "./policy.js";
import type { Alert, IncidentStatus, Priority, TimelineEntry } from "./types.js";
import { PRIORITIES } from "./types.js";

const NOW = DEMO_NOW_MS;
const DAY = 86_400_000;
const h = demoIncidentHistory({ seed: 42 });

const byIncident = new Map<string, TimelineEntry[]>();
for (const e of h.timeline) {
  let list = byIncident.get(e.incidentId);
  if (!list) byIncident.set(e.incidentId, (list = []));
  list.push(e);
}
const alertsOf = new Map<string, Alert[]>();
for (const a of h.alerts) {
  if (!a.incidentId) continue;
  let list = alertsOf.get(a.incidentId);
  if (!list) alertsOf.set(a.incidentId, (list = []));
  list.push(a);
}

const dataOf = (x: ReturnType<typeof demoIncidentHistory>) =>
  JSON.stringify([
    x.alerts,
    x.incidents,
    x.timeline,
    x.actionItems,
    x.reviews,
    x.onCallHistory,
    x.maintenance,
  ]);

test("the same seed gives the same history; another seed a different one", () => {
  assert.equal(dataOf(demoIncidentHistory({ seed: 42 })), dataOf(h));
  const other = demoIncidentHistory({ seed: 7 });
  assert.notEqual(dataOf(other), dataOf(h));
  assert.notDeepEqual(
    other.incidents.map((i) => i.createdAt),
    h.incidents.map((i) => i.createdAt),
  );
});

test("sizes: hundreds of incidents, thousands of alerts, a believable priority mix", () => {
  assert.ok(h.incidents.length >= 300 && h.incidents.length <= 600, `${h.incidents.length} incidents`);
  assert.ok(h.alerts.length >= 1500, `${h.alerts.length} alerts`);
  const n = (p: Priority) => h.incidents.filter((i) => i.priority === p).length;
  assert.ok(n("P0") >= 1 && n("P0") < n("P1"), `P0 ${n("P0")}, P1 ${n("P1")}`);
  assert.ok(n("P1") < n("P2") && n("P1") < n("P3"), `P1 ${n("P1")}`);
  assert.ok(n("P2") + n("P3") > 0.7 * h.incidents.length);
});

test("ids are unique; fingerprints are Alertmanager's hash of the labels and unique", () => {
  for (const list of [h.incidents, h.timeline, h.actionItems]) {
    assert.equal(new Set(list.map((x) => x.id)).size, list.length);
  }
  assert.equal(new Set(h.alerts.map((a) => a.fingerprint)).size, h.alerts.length);
  for (const a of h.alerts) {
    assert.equal(a.fingerprint, alertFingerprint(a.labels));
    assert.equal(a.groupKey, groupKeyOf(a.labels));
    assert.match(a.groupKey, /^\{\}:\{alertname="[A-Za-z0-9]+"(, namespace="[a-z0-9-]+")?\}$/);
  }
});

test("alertFingerprint is FNV-1a 64 over sorted names and values with 0xff separators", () => {
  const reference = (labels: Record<string, string>): string => {
    let x = 0xcbf29ce484222325n;
    const add = (b: number) => {
      x ^= BigInt(b);
      x = (x * 0x100000001b3n) & 0xffffffffffffffffn;
    };
    for (const k of Object.keys(labels).sort()) {
      for (const b of Buffer.from(k)) add(b);
      add(0xff);
      for (const b of Buffer.from(labels[k]!)) add(b);
      add(0xff);
    }
    return x.toString(16).padStart(16, "0");
  };
  assert.equal(alertFingerprint({}), "cbf29ce484222325");
  for (const a of h.alerts.slice(0, 50)) assert.equal(alertFingerprint(a.labels), reference(a.labels));
  const odd = { alertname: "Ünïcode", zone: "eu-west-1a", a: "" };
  assert.equal(alertFingerprint(odd), reference(odd));
});

test("alerts look like kube-prometheus-stack alerts and link runbooks that exist", () => {
  const repo = fileURLToPath(new URL("../../", import.meta.url));
  const names = new Set(h.alerts.map((a) => a.labels.alertname));
  for (const n of [
    "KubePodCrashLooping",
    "KubeDeploymentReplicasMismatch",
    "CPUThrottlingHigh",
    "HighErrorRate",
  ])
    assert.ok(names.has(n), n);
  let local = 0;
  for (const a of h.alerts) {
    for (const k of ["alertname", "severity", "namespace"])
      assert.ok(a.labels[k], `${k} on ${a.fingerprint}`);
    // Quota alerts are about a namespace, not a service.
    if (a.labels.alertname !== "KubeQuotaAlmostFull") assert.ok(a.labels.service, a.labels.alertname);
    assert.ok(a.annotations.summary && a.annotations.description, a.labels.alertname);
    assert.doesNotMatch(a.annotations.summary + a.annotations.description, /\{[a-z_]+\}/);
    const url = a.annotations.runbook_url!;
    if (url.startsWith("runbooks/")) {
      local++;
      assert.ok(existsSync(repo + url), url);
    } else assert.match(url, /^https:\/\/wiki\.example\.com\//);
    assert.equal(a.source, "alertmanager");
    assert.ok(a.receivedAt >= a.startsAt && a.receivedAt <= NOW);
    if (a.status === "resolved")
      assert.ok(a.endsAt !== undefined && a.endsAt > a.startsAt && a.endsAt <= NOW);
    else assert.equal(a.endsAt, undefined);
  }
  assert.ok(local > h.alerts.length / 3, `${local} alerts link a day2 runbook`);
});

test("every alert belongs to an incident of its group, or was suppressed by a maintenance window", () => {
  const incidents = new Map(h.incidents.map((i) => [i.id, i]));
  let suppressed = 0;
  for (const a of h.alerts) {
    if (a.suppressed) {
      suppressed++;
      assert.equal(a.incidentId, undefined);
      assert.ok(inMaintenance(a.labels, a.startsAt, h.maintenance), a.fingerprint);
      continue;
    }
    const inc = incidents.get(a.incidentId ?? "");
    assert.ok(inc, `alert ${a.fingerprint} has no incident`);
    assert.equal(a.groupKey, inc.groupKey);
    assert.ok(!inMaintenance(a.labels, a.startsAt, h.maintenance));
  }
  assert.ok(suppressed > 0, "some alerts fell into maintenance windows");
  assert.ok(h.maintenance.length >= 2 && h.maintenance.every((m) => m.endsAt < NOW));
  for (const i of h.incidents) assert.ok(alertsOf.get(i.id)?.length, `incident ${i.id} has alerts`);
});

test("one open incident per group at a time, and no reopen-window overlaps", () => {
  const byGroup = new Map<string, typeof h.incidents>();
  for (const i of h.incidents) byGroup.set(i.groupKey, [...(byGroup.get(i.groupKey) ?? []), i]);
  for (const list of byGroup.values()) {
    list.sort((a, b) => a.createdAt - b.createdAt);
    for (let k = 1; k < list.length; k++) {
      const prev = list[k - 1]!;
      assert.ok(prev.resolvedAt !== undefined, `${prev.id} open while ${list[k]!.id} opened`);
      assert.ok(list[k]!.createdAt > prev.resolvedAt + DEFAULT_POLICY.reopenWindow);
    }
  }
});

const NEXT: Record<string, (s: IncidentStatus) => IncidentStatus | undefined> = {
  acknowledged: (s) => (s === "triggered" ? "acknowledged" : undefined),
  mitigated: (s) => (s === "acknowledged" ? "mitigated" : undefined),
  resolved: (s) => (s === "triggered" || s === "acknowledged" || s === "mitigated" ? "resolved" : undefined),
  reopened: (s) => (s === "resolved" ? "triggered" : undefined),
  reviewed: (s) => (s === "resolved" ? "reviewed" : undefined),
};

test("every timeline is ordered and agrees with its incident's status and timestamps", () => {
  for (const inc of h.incidents) {
    const tl = byIncident.get(inc.id) ?? [];
    assert.equal(tl[0]?.kind, "triggered", inc.id);
    assert.equal(tl[0]?.at, inc.createdAt);
    let status: IncidentStatus = "triggered";
    const last: Partial<Record<string, number>> = {};
    for (let k = 0; k < tl.length; k++) {
      const e = tl[k]!;
      if (k > 0) assert.ok(e.at >= tl[k - 1]!.at, `${inc.id} out of order`);
      assert.ok(e.at <= NOW && e.at >= inc.createdAt);
      assert.ok(e.actor && e.text);
      const step = NEXT[e.kind];
      if (step) {
        const next = step(status);
        assert.ok(next, `${inc.id}: ${e.kind} while ${status}`);
        status = next;
      }
      last[e.kind] = e.at;
    }
    assert.equal(status, inc.status, inc.id);
    assert.equal(inc.acknowledgedAt, last.acknowledged);
    assert.equal(inc.mitigatedAt, last.mitigated);
    assert.equal(inc.reviewedAt, last.reviewed);
    if (inc.status === "resolved" || inc.status === "reviewed") assert.equal(inc.resolvedAt, last.resolved);
    else assert.equal(inc.resolvedAt, undefined);
    const order = [inc.createdAt, inc.acknowledgedAt, inc.mitigatedAt, inc.resolvedAt, inc.reviewedAt];
    const present = order.filter((x): x is number => x !== undefined);
    assert.deepEqual(
      present,
      [...present].sort((a, b) => a - b),
      inc.id,
    );
    if (inc.acknowledgedAt !== undefined) assert.ok(inc.assignee, `${inc.id} acknowledged without assignee`);
    if (inc.priority === "P0" || (inc.priority === "P1" && !inc.priorityOverridden)) {
      assert.ok(inc.commander && inc.warRoom, `${inc.priority} ${inc.id} has a commander and war room`);
    }
  }
});

test("war rooms are named inc-<id>-<service> with the id's own inc- said once", () => {
  const rooms = h.incidents.filter((i) => i.warRoom !== undefined);
  assert.ok(rooms.length > 10, `${rooms.length} war rooms`);
  for (const inc of rooms) {
    assert.ok(inc.id.startsWith("inc-"), inc.id);
    const expected = `inc-${inc.id.slice("inc-".length)}`.toLowerCase();
    assert.ok(inc.warRoom!.startsWith(expected), `${inc.warRoom} starts with ${expected}`);
    assert.ok(!inc.warRoom!.includes("inc-inc-"), inc.warRoom);
    const said = (byIncident.get(inc.id) ?? []).filter((e) => /war room/.test(e.text));
    assert.ok(said.length > 0, `${inc.id} timeline names its war room`);
    for (const e of said) assert.ok(!e.text.includes("inc-inc-"), e.text);
  }
});

test("pages go to whoever was on call; escalations happen only after the deadline passed unacknowledged", () => {
  let escalated = 0;
  for (const inc of h.incidents) {
    const tl = byIncident.get(inc.id) ?? [];
    const esc = escalationPolicyFor(inc.labels, h.escalationPolicies);
    assert.ok(esc);
    const pages = tl.filter((e) => typeof e.data?.step === "number");
    const firstAck = tl.find((e) => e.kind === "acknowledged")?.at;
    const initial = tl[0]!.text.slice(0, 2) as Priority;
    for (const p of pages) {
      const level = p.data!.level as number;
      const expected: readonly string[] = resolveTargets(
        esc.levels[level - 1]!.targets,
        h.schedules,
        p.at,
      ).users;
      assert.deepEqual(
        p.data!.users,
        expected,
        `${inc.id} level ${level} at ${new Date(p.at).toISOString()}`,
      );
      if (p.kind === "escalated") {
        escalated++;
        assert.ok(firstAck === undefined || firstAck >= p.at, `${inc.id} escalated after acknowledgement`);
        assert.ok(
          p.at >=
            Math.min(ackDeadline(initial, inc.createdAt, DEFAULT_POLICY), pages[0]!.data!.dueAt as number),
        );
      } else {
        assert.equal(p.at, pagingStart(initial, inc.createdAt, DEFAULT_POLICY), inc.id);
      }
    }
    if (inc.acknowledgedAt !== undefined)
      assert.ok(pages.length > 0, `${inc.id} acknowledged but never paged`);
    if (pages.length) assert.equal(inc.escalationLevel, pages.at(-1)!.data!.step);
  }
  assert.ok(escalated >= 10, `${escalated} escalations`);
  const levels = h.incidents.filter((i) => i.escalationLevel > 1).length;
  assert.ok(levels > 0 && levels < h.incidents.length / 4, `${levels} incidents escalated`);
});

test("priorities are the policy's for the incident's alerts (unless a person overrode them)", () => {
  let overridden = 0;
  for (const inc of h.incidents) {
    if (inc.priorityOverridden) {
      overridden++;
      assert.ok(byIncident.get(inc.id)?.some((e) => e.kind === "priority"));
      continue;
    }
    const best = (alertsOf.get(inc.id) ?? [])
      .map((a) => priorityFor(a.labels, DEFAULT_POLICY).priority)
      .sort()[0];
    assert.equal(inc.priority, best, inc.id);
  }
  assert.ok(overridden < h.incidents.length / 10);
});

test("figures: MTTA and MTTR grow from P0 to P3, and MTTR improves over the 90 days", () => {
  for (const seed of [42, 1, 7, 2026]) {
    const x = seed === 42 ? h : demoIncidentHistory({ seed });
    const f = incidentFigures(x.incidents, { from: NOW - 90 * DAY, to: NOW });
    const mean = (p: Priority, k: "mtta" | "mttr") => {
      const v = f.byPriority[p][k];
      assert.ok(v.ok, `${seed} ${p} ${k}`);
      return v.meanMs;
    };
    for (const k of ["mtta", "mttr"] as const) {
      const means = PRIORITIES.map((p) => mean(p, k));
      assert.deepEqual(
        means,
        [...means].sort((a, b) => a - b),
        `seed ${seed} ${k} ${means.map((m) => Math.round(m / 60_000))}`,
      );
    }
    assert.ok(mean("P0", "mtta") < 10 * 60_000, "P0 acknowledged in minutes");
    assert.ok(mean("P3", "mttr") > 12 * 3_600_000, "P3 takes about a business day or more");
    const first = incidentFigures(x.incidents, { from: NOW - 90 * DAY, to: NOW - 60 * DAY }).overall.mttr;
    const last = incidentFigures(x.incidents, { from: NOW - 30 * DAY, to: NOW }).overall.mttr;
    assert.ok(first.ok && last.ok);
    assert.ok(last.meanMs < first.meanMs * 0.95, `seed ${seed}: MTTR ${first.meanMs} -> ${last.meanMs}`);
    assert.ok(f.overall.mtbf.ok);
  }
});

test("weekly rhythm: deploy days see more incidents than weekends", () => {
  const perDay = new Array<number>(7).fill(0);
  for (const i of h.incidents) perDay[new Date(i.createdAt).getUTCDay()]!++;
  const midweek = (perDay[2]! + perDay[3]! + perDay[4]!) / 3;
  const weekend = (perDay[0]! + perDay[6]!) / 2;
  assert.ok(midweek > 2 * weekend, `per weekday ${perDay.join(",")}`);
});

test("a few incidents are still open at now, most are resolved, many reviewed", () => {
  const open = h.incidents.filter(
    (i) => i.status === "triggered" || i.status === "acknowledged" || i.status === "mitigated",
  );
  assert.ok(open.length >= 3 && open.length <= 25, `${open.length} open`);
  assert.ok(open.some((i) => i.status === "triggered") && open.some((i) => i.status === "acknowledged"));
  assert.ok(open.every((i) => i.createdAt > NOW - 5 * DAY));
  const reviewed = h.incidents.filter((i) => i.status === "reviewed");
  assert.ok(reviewed.length > h.incidents.length / 5);
  assert.ok(h.incidents.filter((i) => i.resolvedAt !== undefined).length > 0.9 * h.incidents.length);
  assert.ok(h.timeline.some((e) => e.kind === "reopened"));
  assert.ok(h.timeline.some((e) => e.kind === "status-update"));
  assert.ok(h.timeline.some((e) => e.kind === "note"));
});

test("every reviewed incident has review markdown; action items are tracked, some closed, some overdue", () => {
  const reviews = new Map(h.reviews.map((r) => [r.incidentId, r]));
  for (const inc of h.incidents) {
    const r = reviews.get(inc.id);
    if (inc.status !== "reviewed") {
      assert.equal(r, undefined);
      continue;
    }
    assert.ok(r, `no review for ${inc.id}`);
    assert.ok(r.markdown.startsWith(`# Post-incident review: ${inc.title}`));
    assert.match(r.markdown, /## Action items/);
    assert.equal(r.createdAt, inc.reviewedAt);
  }
  const ids = new Set(h.incidents.filter((i) => i.status === "reviewed").map((i) => i.id));
  assert.ok(h.actionItems.every((a) => ids.has(a.incidentId)));
  const closed = h.actionItems.filter((a) => a.closedAt !== undefined);
  const overdue = h.actionItems.filter((a) => a.closedAt === undefined && a.dueAt! < NOW);
  assert.ok(closed.length > 0 && overdue.length > 0, `${closed.length} closed, ${overdue.length} overdue`);
  assert.ok(h.actionItems.some((a) => a.runbook?.startsWith("runbooks/")));
  assert.ok(closed.every((a) => a.closedAt! <= NOW));
});

test("on-call history covers the 90 days for each schedule, with overrides", () => {
  assert.ok(h.schedules.length >= 2 && h.escalationPolicies.length >= 2);
  for (const s of h.schedules) {
    const shifts = h.onCallHistory.filter((x) => x.schedule === s.id);
    assert.equal(shifts[0]?.start, NOW - 90 * DAY);
    assert.equal(shifts.at(-1)?.end, NOW);
    for (let k = 1; k < shifts.length; k++) assert.equal(shifts[k]!.start, shifts[k - 1]!.end);
  }
  assert.ok(h.onCallHistory.some((x) => x.layer === "override"));
});

test("the business clock gives policy.ts's answers", () => {
  const clock = new BusinessClock(DEFAULT_POLICY);
  for (let t = NOW - 20 * DAY; t < NOW; t += 3_600_000 * 1.37) {
    assert.equal(clock.isBusinessHours(t), isBusinessHours(t, DEFAULT_POLICY));
    assert.equal(clock.nextBusinessStart(t), nextBusinessStart(t, DEFAULT_POLICY));
    for (const p of PRIORITIES) assert.equal(clock.ackDeadline(p, t), ackDeadline(p, t, DEFAULT_POLICY));
  }
});
