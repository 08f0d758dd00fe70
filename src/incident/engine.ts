/**
 * The lifecycle engine behind `day2 serve`: the handbook's incident flow on top of the store.
 *
 * At intake (called by the store adapter):
 * - before the transaction, alerts matching an active maintenance window (day2.yaml and the
 *   store) are marked suppressed, so they are committed suppressed and open nothing;
 * - right after the commit, each newly opened (or reopened) incident is set up in ONE more
 *   transaction: level 1 paged at once when the priority pages now (else its paging start
 *   stored), the acknowledgement deadline stored as escalationDueAt with a timer, and for
 *   P0/P1 an incident commander and a war room, with the war-room message in the outbox (and a
 *   Slack channel to create when a bot token is configured). Doing this after the commit keeps
 *   the intake transaction (and the alert-storm throughput) free of policy work; an incident
 *   whose setup was lost to a crash is found by the leader's sweep and set up then.
 * - resolutions (by alerts or through the API) and other status changes enqueue notifications.
 *
 * Workers (leader only, every `tickMs`): due escalation timers are claimed and fired (page the
 * next level, timeline "escalated" with level and users, next timer), the outbox is delivered
 * (retries with backoff, then a dead letter), and the store is pruned every `retention.every`.
 */
import { hostname } from "node:os";
import type { Store, IngestResult, AlertInput, EscalationTimer } from "../store/index.js";
import { SLACK_API_TARGET } from "./engine-config.js";
import type { NotificationsConfig } from "./engine-config.js";
import { AlwaysLeader } from "./engine-leader.js";
import type { Leadership } from "./engine-leader.js";
import { applyStep, enqueueAll, stopEscalation, unsetIncidents } from "./engine-tx.js";
import type { StepWrite } from "./engine-tx.js";
import { escalationPolicyFor, majorIncidentRoles, nextEscalation } from "./escalation.js";
import type { EscalationDecision } from "./escalation.js";
import { inMaintenance } from "./maintenance.js";
import {
  escalationNotification,
  resolvedNotification,
  statusChangeNotification,
  warRoomNotification,
} from "./notify.js";
import type { Notification, WarRoomNotification } from "./notify.js";
import type { RetryOptions } from "./notify-retry.js";
import { deliverToAll } from "./notify-send.js";
import type { NotificationTarget, OutboxMessage } from "./notify-send.js";
import { openSlackWarRoom } from "./notify-slack.js";
import { compileMatcher } from "./policy-match.js";
import type { MatchOp } from "./policy-match.js";
import type { IncidentsConfig, MaintenanceWindow, Schedule } from "./policy-config.js";
import { ackDeadline } from "./policy.js";
import type { Incident, IncidentStatus } from "./types.js";

export interface EngineLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface EngineOptions {
  store: Store;
  config: IncidentsConfig;
  /** Claims carry it; default host:pid:random. */
  id?: string;
  /** Default: always leader (SQLite, one process). */
  leader?: Leadership;
  /** Worker period, ms (default 1000). */
  tickMs?: number;
  /** Incident links are `<linkBase>/<id>` (notifications.link wins). */
  linkBase?: string;
  /** Per delivery: in-process retries (default 3 attempts, 10 s each). */
  delivery?: RetryOptions;
  /** Outbox attempts (each a delivery with its retries) before a dead letter (default 5). */
  maxAttempts?: number;
  /** Outbox back-off base, ms (default 30 s; doubled per attempt). */
  retryDelayMs?: number;
  log?: EngineLog;
  now?: () => number;
  /** More leader-only work run at the end of every tick (e.g. config maintenance silences). */
  workers?: readonly EngineWorker[];
}

/** A leader-only worker; a failure is logged and retried next tick. */
export interface EngineWorker {
  readonly name: string;
  run(now: number): Promise<unknown>;
}

const ACTOR = "policy";
const QUIET: EngineLog = { info: () => undefined, warn: () => undefined };

/** A stored window's matchers, as written by addMaintenance. */
interface StoredMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** A claimer id unique per process: host:pid:random. */
export function engineId(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

export class IncidentEngine {
  readonly store: Store;
  readonly id: string;
  readonly leader: Leadership;
  private config: IncidentsConfig;
  private readonly opts: EngineOptions;
  private readonly log: EngineLog;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private lastPrune = 0;
  private windowCache: { at: number; windows: MaintenanceWindow[] } | undefined;
  private readonly abort = new AbortController();
  /** Incident links are `<linkBase>/<id>` unless notifications.link is set (serve sets it once listening). */
  linkBase: string | undefined;

  constructor(opts: EngineOptions) {
    this.opts = opts;
    this.store = opts.store;
    this.config = opts.config;
    this.id = opts.id ?? engineId();
    this.leader = opts.leader ?? new AlwaysLeader();
    this.log = opts.log ?? QUIET;
    this.now = opts.now ?? Date.now;
    this.linkBase = opts.linkBase;
  }

  get incidents(): IncidentsConfig {
    return this.config;
  }

  get notifications(): NotificationsConfig {
    return this.config.notifications ?? { targets: [] };
  }

  link(id: string): string {
    const base = this.notifications.link ?? this.linkBase ?? "/api/v1/incidents";
    return `${base}/${encodeURIComponent(id)}`;
  }

  /** Schedules as configured, plus overrides added in the store. */
  async schedules(at: number): Promise<Schedule[]> {
    const stored = await this.store.listSchedules();
    const out: Schedule[] = [];
    for (const s of this.config.schedules) {
      const row = stored.find((r) => r.name === s.id);
      const extra = row ? await this.store.listOverrides(row.id, at - 86_400_000, at + 30 * 86_400_000) : [];
      out.push(
        extra.length
          ? {
              ...s,
              overrides: [
                ...s.overrides,
                ...extra.map((o) => ({ user: o.person, from: o.startsAt, to: o.endsAt })),
              ],
            }
          : s,
      );
    }
    return out;
  }

  /** Writes the configured schedules into the store (created or replaced by id). */
  async seedSchedules(): Promise<number> {
    for (const s of this.config.schedules) await this.store.putSchedule(s.id, s);
    return this.config.schedules.length;
  }

  // ------------------------------------------------------------------------------------------
  // Intake

  /** Config windows and the store's windows active at `at` (the store's cached for 1 s). */
  async maintenanceWindows(at: number): Promise<MaintenanceWindow[]> {
    if (!this.windowCache || at - this.windowCache.at > 1000 || at < this.windowCache.at) {
      const rows = await this.store.listMaintenanceWindows(at);
      const windows: MaintenanceWindow[] = [];
      for (const r of rows) {
        const ms = Array.isArray(r.matchers) ? (r.matchers as StoredMatcher[]) : [];
        try {
          windows.push({
            id: r.id,
            matchers: ms.map((m) => compileMatcher({ name: m.name, op: m.op, value: m.value })),
            startsAt: r.startsAt,
            endsAt: r.endsAt,
            createdBy: r.createdBy ?? "day2",
            comment: r.name,
          });
        } catch (err) {
          this.log.warn(`maintenance window ${r.id}: ${(err as Error).message}`);
        }
      }
      this.windowCache = { at, windows };
    }
    return [...this.config.maintenance, ...this.windowCache.windows];
  }

  /** The next intake reads the store's windows again (after a window was added here). */
  forgetMaintenanceCache(): void {
    this.windowCache = undefined;
  }

  /** Marks firing alerts that match an active maintenance window as suppressed. */
  async suppress(alerts: AlertInput[], at = this.now()): Promise<AlertInput[]> {
    const windows = await this.maintenanceWindows(at);
    if (windows.length === 0) return alerts;
    return alerts.map((a) =>
      a.status === "firing" && inMaintenance(a.labels, at, windows) ? { ...a, suppressed: true } : a,
    );
  }

  /** After an intake commit: set up new incidents, announce resolutions. Never throws. */
  async afterIngest(result: IngestResult): Promise<void> {
    const now = this.now();
    for (const inc of [...result.incidents.opened, ...result.incidents.reopened]) {
      try {
        await this.setUp(inc, now);
      } catch (err) {
        this.log.warn(`incident ${inc.id}: setup failed (the sweep retries): ${(err as Error).message}`);
      }
    }
    for (const inc of result.incidents.resolved) {
      try {
        await this.announce(inc, "triggered", "alertmanager", undefined, now);
      } catch (err) {
        this.log.warn(`incident ${inc.id}: resolution notification failed: ${(err as Error).message}`);
      }
    }
  }

  /** After a status change through the API: notifications, and acknowledged stops escalation. */
  async afterTransition(
    incident: Incident,
    from: IncidentStatus | undefined,
    actor: string,
    text?: string,
  ): Promise<void> {
    const now = this.now();
    if (incident.status !== "triggered") await stopEscalation(this.store, incident.id, now);
    await this.announce(incident, from ?? "triggered", actor, text, now);
  }

  private async announce(
    incident: Incident,
    from: IncidentStatus,
    actor: string,
    text: string | undefined,
    now: number,
  ): Promise<void> {
    const n: Notification =
      incident.status === "resolved"
        ? resolvedNotification(incident, this.link(incident.id), now, { actor, ...(text ? { text } : {}) })
        : statusChangeNotification(incident, this.link(incident.id), now, {
            from,
            to: incident.status,
            actor,
            ...(text ? { text } : {}),
          });
    const targets = this.notifications.targets;
    await enqueueAll(
      this.store,
      incident.id,
      targets.map((t) => ({ target: t.name, event: n.event, payload: n })),
      [],
      { actor: ACTOR, now: now },
    );
  }

  /**
   * A new (or reopened) incident: first page or paging start, deadline and timer, and for
   * major priorities a commander and a war room. Idempotent: a second call changes nothing.
   */
  async setUp(incident: Incident, now = this.now()): Promise<Incident | undefined> {
    if (incident.status !== "triggered") return undefined;
    const cfg = this.config;
    const schedules = await this.schedules(now);
    const escalation = escalationPolicyFor(incident.labels, cfg.escalationPolicies);
    const fresh = { ...incident, escalationLevel: 0, escalationDueAt: undefined };
    const step: StepWrite = {
      expect: { status: "triggered", escalationLevel: incident.escalationLevel, dueAtNull: true },
      set: { escalationLevel: 0 },
      timeline: [],
      notifications: [],
    };
    if (escalation) {
      const d = nextEscalation(fresh, escalation, now, { policy: cfg.policy, schedules });
      this.stepFor(d, step, escalation.id, now);
    } else {
      const due = Math.max(ackDeadline(incident.priority, incident.createdAt, cfg.policy), now);
      step.set.escalationDueAt = due;
      step.timer = { level: 1, dueAt: due };
    }
    const roles = majorIncidentRoles(incident, escalation, now, { policy: cfg.policy, schedules });
    if (roles) {
      if (roles.commander) {
        step.set.commander = roles.commander;
        step.timeline.push({ kind: "assigned", text: `incident commander: ${roles.commander}` });
      }
      step.set.warRoom = roles.warRoom;
      step.timeline.push({ kind: "assigned", text: `war room: ${roles.warRoom}` });
      const targets = this.notifications.targets;
      const link = this.link(incident.id);
      const warRoom = (i: Incident): WarRoomNotification => warRoomNotification(i, link, now);
      for (const t of targets)
        step.notifications.push({ target: t.name, event: "incident.war_room", payload: warRoom });
      if (this.notifications.slack)
        step.notifications.push({ target: SLACK_API_TARGET, event: "incident.war_room", payload: warRoom });
      const names = [
        ...targets.map((t) => t.name),
        ...(this.notifications.slack ? ["a new Slack channel"] : []),
      ];
      step.timeline.push({
        kind: "notification",
        text: names.length
          ? `war-room message queued for ${names.join(", ")}`
          : "war room named; no notification targets configured",
        data: { event: "incident.war_room", targets: names },
      });
    }
    return applyStep(this.store, incident.id, step, ACTOR, now);
  }

  /** Fills `step` from an escalation decision. */
  private stepFor(d: EscalationDecision, step: StepWrite, policyId: string, at: number): void {
    if (d.kind === "wait") {
      step.set.escalationDueAt = d.until;
      step.timer = { level: step.expect.escalationLevel + 1, dueAt: d.until };
      return;
    }
    if (d.kind === "done") {
      step.set.escalationDueAt = null;
      return;
    }
    step.set.escalationLevel = d.step;
    step.set.escalationDueAt = d.dueAt;
    step.timer = { level: d.step + 1, dueAt: d.dueAt };
    const who = d.users.length ? d.users.join(", ") : "nobody (no one on call)";
    step.timeline.push({
      kind: "escalated",
      text: `escalation level ${d.level}${d.pass ? ` (pass ${d.pass + 1})` : ""}: paging ${who}`,
      data: {
        level: d.level,
        step: d.step,
        pass: d.pass,
        users: [...d.users],
        uncovered: [...d.uncovered],
        policy: policyId,
      },
    });
    for (const t of this.notifications.targets)
      step.notifications.push({
        target: t.name,
        event: "incident.escalated",
        payload: (i: Incident) =>
          escalationNotification(i, this.link(i.id), at, {
            level: d.level,
            target: who,
            ...(d.uncovered.length ? { reason: `nobody on call for ${d.uncovered.join(", ")}` } : {}),
          }),
      });
  }

  // ------------------------------------------------------------------------------------------
  // Workers

  /** Starts leadership and the worker loop. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.leader.start();
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((err: unknown) => this.log.warn(`worker: ${(err as Error).message}`))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.opts.tickMs ?? 1000);
        });
    }, ms);
  }

  /** Stops the loop (the tick in progress finishes) and gives up leadership. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
    await this.running;
    await this.leader.stop();
  }

  /** One pass of every worker, when leader. */
  async tick(): Promise<{ fired: number; sent: number; setUp: number; pruned: boolean }> {
    const out = { fired: 0, sent: 0, setUp: 0, pruned: false };
    if (!this.leader.isLeader()) return out;
    out.fired = await this.escalationTick();
    out.setUp = await this.sweep();
    out.sent = await this.notificationTick();
    out.pruned = await this.retentionTick();
    for (const w of this.opts.workers ?? [])
      if (this.leader.isLeader())
        await w
          .run(this.now())
          .catch((err: unknown) => this.log.warn(`${w.name}: ${(err as Error).message}`));
    return out;
  }

  /** Claims and fires due timers; returns how many fired. */
  async escalationTick(limit = 100): Promise<number> {
    let fired = 0;
    for (let i = 0; i < limit && this.leader.isLeader(); i++) {
      const t = await this.store.claimDueTimer(this.id, { now: this.now() });
      if (!t) break;
      try {
        if (await this.fire(t)) fired++;
      } catch (err) {
        this.log.warn(`timer ${t.id}: ${(err as Error).message} (retried when the claim expires)`);
      }
    }
    return fired;
  }

  /** Fires one claimed timer: the incident's next escalation step, or nothing if it moved on. */
  private async fire(t: EscalationTimer): Promise<boolean> {
    const now = this.now();
    const detail = await this.store.getIncident(t.incidentId);
    const inc = detail?.incident;
    const obsolete = !inc || inc.status !== "triggered" || inc.escalationLevel !== t.level - 1;
    if (obsolete) {
      await this.store.markTimerFired(t.id, this.id, now);
      return false;
    }
    const cfg = this.config;
    const escalation = escalationPolicyFor(inc.labels, cfg.escalationPolicies);
    const step: StepWrite = {
      expect: { status: "triggered", escalationLevel: inc.escalationLevel },
      set: {},
      timeline: [],
      notifications: [],
      fires: { id: t.id, claimer: this.id },
    };
    if (escalation) {
      const schedules = await this.schedules(now);
      // The timer is due: the level's deadline has passed even if the clock skews a little.
      const due = { ...inc, escalationDueAt: Math.min(inc.escalationDueAt ?? now, now) };
      this.stepFor(
        nextEscalation(due, escalation, now, { policy: cfg.policy, schedules }),
        step,
        escalation.id,
        now,
      );
    } else {
      // No escalation policy: the deadline passed; tell the war-room targets once.
      step.set = { escalationLevel: 1, escalationDueAt: null };
      step.timeline.push({
        kind: "escalated",
        text: "acknowledgement deadline passed; no escalation policy matches",
        data: { level: 1, step: 1, users: [] },
      });
      for (const target of this.notifications.targets)
        step.notifications.push({
          target: target.name,
          event: "incident.escalated",
          payload: (i: Incident) =>
            escalationNotification(i, this.link(i.id), now, {
              level: 1,
              target: "the war room",
              reason: "acknowledgement deadline passed",
            }),
        });
    }
    const applied = await applyStep(this.store, inc.id, step, ACTOR, now);
    if (!applied) await this.store.markTimerFired(t.id, this.id, now);
    return applied !== undefined;
  }

  /** Sets up incidents whose setup was lost (opened more than a tick ago, never set up). */
  async sweep(): Promise<number> {
    const before = this.now() - 2 * (this.opts.tickMs ?? 1000);
    let n = 0;
    for (const inc of await unsetIncidents(this.store, before)) if (await this.setUp(inc)) n++;
    return n;
  }

  /** Delivers due outbox rows; returns how many were sent. */
  async notificationTick(limit = 50): Promise<number> {
    let sent = 0;
    for (let i = 0; i < limit && this.leader.isLeader(); i++) {
      const row = await this.store.claimNotification(this.id, { now: this.now() });
      if (!row) break;
      // An incident notification, or a scheduled rhythm report (notify-rhythm.ts).
      const n = row.payload as OutboxMessage;
      let outcome: { ok: true } | { ok: false; error: string };
      try {
        outcome =
          row.target === SLACK_API_TARGET
            ? await this.slackWarRoom(n as Notification)
            : await this.deliver(row.target, n);
      } catch (err) {
        outcome = { ok: false, error: (err as Error).message };
      }
      const now = this.now();
      if (outcome.ok) {
        await this.store.recordNotificationAttempt(row.id, { ok: true }, now);
        sent++;
        continue;
      }
      const max = this.opts.maxAttempts ?? 5;
      const dead = row.attempts + 1 >= max;
      const retryAt = now + (this.opts.retryDelayMs ?? 30_000) * 2 ** row.attempts;
      await this.store.recordNotificationAttempt(
        row.id,
        dead ? { ok: false, error: outcome.error } : { ok: false, error: outcome.error, retryAt },
        now,
      );
      if (dead && row.incidentId)
        await enqueueAll(
          this.store,
          row.incidentId,
          [],
          [
            {
              kind: "notification",
              text: `${row.event} to ${row.target} failed after ${row.attempts + 1} attempts: ${outcome.error}`,
              data: { event: row.event, target: row.target, deadLetter: true },
            },
          ],
          { actor: "day2", now: now },
        );
    }
    return sent;
  }

  private async deliver(
    targetName: string,
    n: OutboxMessage,
  ): Promise<{ ok: true } | { ok: false; error: string }> {
    const target: NotificationTarget | undefined = this.notifications.targets.find(
      (t) => t.name === targetName,
    );
    if (!target)
      return { ok: false, error: `no notification target ${JSON.stringify(targetName)} is configured` };
    const [r] = await deliverToAll([target], n, {
      attempts: 3,
      ...this.opts.delivery,
      signal: this.abort.signal,
    });
    return r!.ok ? { ok: true } : { ok: false, error: r!.deadLetter.lastError };
  }

  private async slackWarRoom(n: Notification): Promise<{ ok: true } | { ok: false; error: string }> {
    const slack = this.notifications.slack;
    if (!slack) return { ok: false, error: "no Slack bot token is configured" };
    const r = await openSlackWarRoom(slack, n as WarRoomNotification, {
      attempts: 3,
      ...this.opts.delivery,
      signal: this.abort.signal,
      isPrivate: slack.private,
      prefix: this.config.policy.warRoomPrefix,
    });
    if (!r.ok) return { ok: false, error: `${r.step}: ${r.deadLetter.lastError}` };
    await this.store.updateIncident(n.incident.id, { warRoom: `#${r.channel.name}` }, "day2");
    await enqueueAll(
      this.store,
      n.incident.id,
      [],
      [
        {
          kind: "notification",
          text: `Slack channel #${r.channel.name} created`,
          data: { channel: r.channel },
        },
      ],
      { actor: "day2", now: this.now() },
    );
    return { ok: true };
  }

  /** Prunes when `retention.every` has passed since the last prune (at once after start). */
  async retentionTick(): Promise<boolean> {
    const r = this.config.retention;
    const now = this.now();
    if (!r || now - this.lastPrune < r.every) return false;
    this.lastPrune = now;
    const counts = await this.store.prune(r.ages, now);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (total) this.log.info(`retention: pruned ${JSON.stringify(counts)}`);
    return true;
  }
}
