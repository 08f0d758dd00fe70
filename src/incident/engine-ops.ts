/**
 * The engine's side of the API (the server's IncidentOps port) and its store-adapter hooks:
 * on-call rows, review drafts (shown, and stored when a review is recorded), tracked action
 * items, and maintenance windows with their Alertmanager silences (API v2, POST
 * /api/v2/silences with toAlertmanagerSilence; the silence id is stored with the window).
 * Windows from day2.yaml get theirs from ConfigSilencer, a worker the engine's leader runs.
 */
import type { AdapterHooks } from "../server/store-adapter.js";
import { InvalidInputError } from "../server/ports.js";
import type { IncidentOps, MaintenanceEntry, ReviewInput } from "../server/ports.js";
import type { AlertInput } from "../store/index.js";
import type { IncidentEngine } from "./engine.js";
import { dueSilences, toAlertmanagerSilence } from "./maintenance.js";
import type { AlertmanagerSilence } from "./maintenance.js";
import { onCallRows } from "./oncall.js";
import { PolicyConfigError, parseMaintenanceWindow } from "./policy-config.js";
import type { MaintenanceWindow } from "./policy-config.js";
import { formatMatcher } from "./policy-match.js";
import { ackDeadline } from "./policy.js";
import { renderReviewMarkdown } from "./review-markdown.js";
import { reviewDraft } from "./review.js";
import type { ReviewDraft } from "./review.js";

export interface OpsOptions {
  /** Alertmanager's base URL (e.g. http://127.0.0.1:9093): silences are created there. */
  alertmanagerUrl?: string;
  /** Per request, ms (default 10 s). */
  timeoutMs?: number;
}

/** Creates the window's silence; resolves with its id. Throws with Alertmanager's answer on failure. */
export function createSilence(
  baseUrl: string,
  window: MaintenanceWindow,
  timeoutMs = 10_000,
): Promise<string> {
  return postSilence(baseUrl, toAlertmanagerSilence(window), timeoutMs);
}

const silencesUrl = (baseUrl: string): string => `${baseUrl.replace(/\/+$/, "")}/api/v2/silences`;

/** POST /api/v2/silences; resolves with the silence id. */
export async function postSilence(
  baseUrl: string,
  body: AlertmanagerSilence,
  timeoutMs = 10_000,
): Promise<string> {
  const res = await fetch(silencesUrl(baseUrl), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Alertmanager answered HTTP ${res.status}: ${text.slice(0, 300)}`);
  const id = (JSON.parse(text) as { silenceID?: unknown }).silenceID;
  if (typeof id !== "string")
    throw new Error(`Alertmanager answered without a silenceID: ${text.slice(0, 300)}`);
  return id;
}

/** A silence as GET /api/v2/silences lists it (the fields day2 reads). */
export interface GettableSilence {
  id: string;
  comment: string;
  startsAt: string;
  endsAt: string;
  status: { state: "active" | "pending" | "expired" };
}

/** GET /api/v2/silences: every silence Alertmanager holds, expired ones included. */
export async function listSilences(baseUrl: string, timeoutMs = 10_000): Promise<GettableSilence[]> {
  const res = await fetch(silencesUrl(baseUrl), { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new Error(`Alertmanager answered HTTP ${res.status}: ${text.slice(0, 300)}`);
  const doc = JSON.parse(text) as unknown;
  if (!Array.isArray(doc)) throw new Error(`Alertmanager answered a non-list: ${text.slice(0, 300)}`);
  return doc as GettableSilence[];
}

export interface ConfigSilencerOptions {
  timeoutMs?: number;
  /** After a failure, wait this long before asking Alertmanager again (default 30 s). */
  retryMs?: number;
  log?: { info(msg: string): void; warn(msg: string): void };
}

/**
 * The silences of day2.yaml's maintenance windows, made sure of by the worker leader on every
 * tick: at startup, and whenever a recurring window's next occurrence comes up (its silence is
 * created pending as soon as the previous one ends). Idempotent per occurrence: Alertmanager is
 * asked which markers exist before anything is posted, so a restart or a new leader creates
 * nothing twice. Occurrences already made sure of are remembered, so a quiet tick sends no
 * request at all.
 */
export class ConfigSilencer {
  readonly name = "maintenance silences";
  private readonly done = new Set<string>();
  private retryAt = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly windows: readonly MaintenanceWindow[],
    private readonly opts: ConfigSilencerOptions = {},
  ) {}

  /** Creates the silences due at `now`; resolves with how many were created. */
  async run(now: number): Promise<number> {
    const due = dueSilences(this.windows, now).filter((d) => !this.done.has(d.marker));
    if (due.length === 0 || now < this.retryAt) return 0;
    try {
      const existing = (await listSilences(this.baseUrl, this.opts.timeoutMs)).map((x) => x.comment);
      const missing = dueSilences(this.windows, now, existing);
      for (const d of due) if (!missing.some((m) => m.marker === d.marker)) this.done.add(d.marker);
      let created = 0;
      for (const d of missing) {
        const id = await postSilence(this.baseUrl, d.silence, this.opts.timeoutMs);
        this.done.add(d.marker);
        created++;
        this.opts.log?.info(
          `maintenance window ${d.key}: silence ${id} in Alertmanager, ${d.silence.startsAt} to ${d.silence.endsAt}`,
        );
      }
      return created;
    } catch (err) {
      this.retryAt = now + (this.opts.retryMs ?? 30_000);
      throw new Error(`maintenance silences at ${this.baseUrl}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** The engine workers for day2.yaml's windows: none without an Alertmanager or windows. */
export function configSilencers(
  alertmanagerUrl: string | undefined,
  windows: readonly MaintenanceWindow[],
  log?: ConfigSilencerOptions["log"],
): ConfigSilencer[] {
  return alertmanagerUrl && windows.length
    ? [new ConfigSilencer(alertmanagerUrl, windows, log ? { log } : {})]
    : [];
}

function entry(
  w: MaintenanceWindow,
  source: "config" | "api",
  id: string,
  silenceId?: string,
): MaintenanceEntry {
  return {
    id,
    matchers: w.matchers.map(formatMatcher),
    startsAt: w.startsAt,
    endsAt: w.endsAt,
    createdBy: w.createdBy,
    comment: w.comment,
    source,
    ...(silenceId ? { silenceId } : {}),
  };
}

async function draftFor(engine: IncidentEngine, id: string): Promise<ReviewDraft | undefined> {
  const d = await engine.store.getIncident(id);
  if (!d) return undefined;
  const policy = engine.incidents.policy;
  const inc = d.incident;
  return reviewDraft(inc, d.timeline, d.alerts, d.actionItems, {
    ackDeadlineMs: ackDeadline(inc.priority, inc.createdAt, policy) - inc.createdAt,
  });
}

export function engineOps(engine: IncidentEngine, opts: OpsOptions = {}): IncidentOps {
  return {
    async oncall(at) {
      return onCallRows(await engine.schedules(at), at).map((r) => ({ ...r }));
    },
    async reviewDraft(id) {
      const draft = await draftFor(engine, id);
      return (
        draft && { draft: draft as unknown as Record<string, unknown>, markdown: renderReviewMarkdown(draft) }
      );
    },
    actionItems: (runbookOnly) => engine.store.listOpenActionItems({ runbookOnly }),
    async addMaintenance(body, actor) {
      let w: MaintenanceWindow;
      try {
        w = parseMaintenanceWindow(body);
      } catch (err) {
        if (err instanceof PolicyConfigError) throw new InvalidInputError(err.problems.join("; "));
        throw err;
      }
      // The store keeps one-off windows; a recurring one belongs in day2.yaml.
      if (w.every !== undefined)
        throw new InvalidInputError(
          "every: recurring windows are declared in day2.yaml (incidents.maintenance)",
        );
      let silence: { id?: string; error?: string } | undefined;
      if (opts.alertmanagerUrl) {
        try {
          silence = { id: await createSilence(opts.alertmanagerUrl, w, opts.timeoutMs) };
        } catch (err) {
          silence = { error: (err as Error).message };
        }
      }
      const stored = await engine.store.addMaintenanceWindow({
        name: w.comment,
        matchers: w.matchers.map((m) => ({ name: m.name, op: m.op, value: m.value })),
        startsAt: w.startsAt,
        endsAt: w.endsAt,
        createdBy: w.createdBy || actor,
        ...(silence?.id ? { silenceId: silence.id } : {}),
      });
      engine.forgetMaintenanceCache();
      return { window: entry(w, "api", stored.id, silence?.id), ...(silence ? { silence } : {}) };
    },
    async listMaintenance(at) {
      const fromConfig = engine.incidents.maintenance
        .filter((w) => w.endsAt > at)
        .map((w, i) => entry(w, "config", w.id ?? `config-${i + 1}`));
      const stored = await engine.store.listMaintenanceWindows(at, Number.MAX_SAFE_INTEGER);
      const fromApi = stored.map((r) => {
        const ms = Array.isArray(r.matchers)
          ? (r.matchers as { name: string; op: "="; value: string }[])
          : [];
        const out: MaintenanceEntry = {
          id: r.id,
          matchers: ms.map(formatMatcher),
          startsAt: r.startsAt,
          endsAt: r.endsAt,
          comment: r.name,
          source: "api",
          ...(r.createdBy ? { createdBy: r.createdBy } : {}),
          ...(r.silenceId ? { silenceId: r.silenceId } : {}),
        };
        return out;
      });
      return [...fromConfig, ...fromApi];
    },
  };
}

/** The store-adapter hooks that run the engine at intake, status changes and reviews. */
export function engineHooks(engine: IncidentEngine): AdapterHooks {
  return {
    beforeIngest: (alerts: AlertInput[]) => engine.suppress(alerts),
    afterIngest: (result) => engine.afterIngest(result),
    afterTransition: (incident, from, actor, note) => engine.afterTransition(incident, from, actor, note),
    async review(id: string, input: ReviewInput) {
      const draft = await draftFor(engine, id);
      if (!draft) return undefined;
      const merged: ReviewDraft = { ...draft, ...(input.summary ? { summary: input.summary } : {}) };
      if (input.rootCause)
        merged.rootCause = { ...draft.rootCause, prompts: [input.rootCause, ...draft.rootCause.prompts] };
      const items =
        input.actionItems ??
        draft.actionItems
          .filter((a) => a.suggested)
          .map((a) => ({
            title: a.title,
            ...(a.owner ? { owner: a.owner } : {}),
            ...(a.dueAt !== undefined ? { dueAt: a.dueAt } : {}),
            ...(a.runbook ? { runbook: a.runbook } : {}),
          }));
      return { body: renderReviewMarkdown(merged), data: { draft: merged, input }, actionItems: items };
    },
  };
}
