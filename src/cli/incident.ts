/**
 * `day2 incident list|show|ack|mitigate|resolve|note|review`: the incident API of a running
 * `day2 serve`, from a terminal. The server and token come from --server/--token or
 * DAY2_SERVER/DAY2_TOKEN; output is a table, JSON or YAML (-o).
 */
import type { Command } from "commander";
import { stringify } from "yaml";
import type { Incident, TimelineEntry } from "../incident/types.js";
import { Day2Client } from "../server/client.js";
import { columns } from "../report/render/columns.js";
import type { CommandContext } from "./context.js";
import { EXIT, usageError } from "./errors.js";

type Run = (fn: (ctx: CommandContext) => Promise<number>, args?: Record<string, unknown>) => Promise<void>;

interface ConnOpts {
  server?: string;
  token?: string;
}

const FORMATS = ["table", "wide", "json", "yaml"];

export function clientFrom(o: ConnOpts, env: NodeJS.ProcessEnv = process.env): Day2Client {
  const server = o.server ?? env.DAY2_SERVER;
  const token = o.token ?? env.DAY2_TOKEN;
  if (!server) throw usageError("--server (or DAY2_SERVER) is required, e.g. --server http://127.0.0.1:8080");
  if (!/^https?:\/\/[^/]/.test(server))
    throw usageError(`--server: expected an http:// or https:// URL, got ${JSON.stringify(server)}`);
  if (!token) throw usageError("--token (or DAY2_TOKEN) is required: create one with `day2 token create`");
  return new Day2Client(server, token);
}

function format(ctx: CommandContext): "table" | "json" | "yaml" {
  const f = ctx.opts.output;
  if (!FORMATS.includes(f)) throw usageError(`-o ${f}: day2 incident writes table, json or yaml`);
  return f === "wide" ? "table" : (f as "json" | "yaml" | "table");
}

function emit(ctx: CommandContext, data: unknown, table: () => string): void {
  const f = format(ctx);
  const text = f === "json" ? JSON.stringify(data, null, 2) : f === "yaml" ? stringify(data) : table();
  ctx.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

function age(from: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - from) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

function iso(ms: number | undefined): string {
  return ms === undefined ? "" : new Date(ms).toISOString();
}

function incidentTable(items: Incident[]): string {
  if (items.length === 0) return "No incidents.";
  return columns(
    ["ID", "PRIORITY", "STATUS", "AGE", "SERVICE", "TITLE"],
    items.map((i) => [i.id, i.priority, i.status, age(i.createdAt), i.service ?? "", i.title]),
  );
}

function detail(incident: Incident, timeline: TimelineEntry[]): string {
  const rows: [string, string | undefined][] = [
    ["ID", incident.id],
    ["Title", incident.title],
    ["Priority", `${incident.priority}${incident.priorityOverridden ? " (override)" : ""}`],
    ["Status", incident.status],
    ["Service", incident.service],
    ["Namespace", incident.namespace],
    ["Group", incident.groupKey],
    ["Created", iso(incident.createdAt)],
    ["Acknowledged", iso(incident.acknowledgedAt)],
    ["Mitigated", iso(incident.mitigatedAt)],
    ["Resolved", iso(incident.resolvedAt)],
    ["Reviewed", iso(incident.reviewedAt)],
    ["Assignee", incident.assignee],
    ["Commander", incident.commander],
    ["War room", incident.warRoom],
    [
      "Escalation",
      `level ${incident.escalationLevel}${incident.escalationDueAt ? `, due ${iso(incident.escalationDueAt)}` : ""}`,
    ],
  ];
  const head = rows
    .filter(([, v]) => v)
    .map(([k, v]) => `${`${k}:`.padEnd(14)}${v}`)
    .join("\n");
  const tl = columns(
    ["TIME", "KIND", "ACTOR", "TEXT"],
    timeline.map((e) => [iso(e.at), e.kind, e.actor, e.text]),
    "  ",
  );
  return `${head}\n\nTimeline:\n${timeline.length ? tl : "  (empty)"}`;
}

function connOptions(cmd: Command): Command {
  return cmd
    .option("--server <url>", "the day2 server (default: $DAY2_SERVER)")
    .option("--token <token>", "an API token (default: $DAY2_TOKEN)");
}

/** "title; owner=alice; due=2025-07-01; runbook=runbooks/x.md" -> an action item. */
export function parseActionItem(text: string): {
  title: string;
  owner?: string;
  dueAt?: string;
  runbook?: string;
} {
  const [title, ...rest] = text.split(";").map((s) => s.trim());
  if (!title) throw usageError(`--action: a title is required, got ${JSON.stringify(text)}`);
  const item: { title: string; owner?: string; dueAt?: string; runbook?: string } = { title };
  for (const kv of rest) {
    const m = /^(owner|due|runbook)=(.+)$/.exec(kv);
    if (!m)
      throw usageError(
        `--action: expected owner=, due= or runbook= after the title, got ${JSON.stringify(kv)}`,
      );
    if (m[1] === "due") {
      const ms = Date.parse(m[2]!);
      if (Number.isNaN(ms)) throw usageError(`--action: due=${m[2]} is not a date (use YYYY-MM-DD)`);
      item.dueAt = new Date(ms).toISOString();
    } else item[m[1] as "owner" | "runbook"] = m[2]!;
  }
  return item;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function registerSteps(incident: Command, run: Run): void {
  const steps = [
    ["ack", "acknowledge an incident: you are on it (stops escalation)"],
    ["mitigate", "mark an incident mitigated: the impact is over, the cause may remain"],
    ["resolve", "resolve an incident"],
  ] as const;
  for (const [name, description] of steps) {
    connOptions(incident.command(`${name} <id>`).description(description))
      .option("--note <text>", "a note recorded with the step")
      .action((id: string, o: ConnOpts & { note?: string }) =>
        run(async (ctx) => {
          const updated = await clientFrom(o).step(id, name, o.note);
          emit(ctx, updated, () => `incident ${updated.id} ${updated.status}`);
          return EXIT.ok;
        }),
      );
  }
}

export function registerIncident(program: Command, run: Run): void {
  const incident = program
    .command("incident")
    .description("incidents on a day2 server: list, show, acknowledge, resolve, note, review")
    .addHelpText(
      "after",
      `
Examples:
  export DAY2_SERVER=http://127.0.0.1:8080 DAY2_TOKEN=d2_...
  day2 incident list                          # open incidents, newest first
  day2 incident list --status all --priority P0,P1 -o json
  day2 incident show 42                       # one incident and its timeline
  day2 incident ack 42 --note "looking at the database"
  day2 incident note 42 "failover started"
  day2 incident resolve 42
  day2 incident review 42 --summary "primary ran out of disk" \\
    --action "alert on disk at 80%; owner=alice; due=2025-07-01; runbook=runbooks/disk-full.md"

Exit codes: 0 ok, 2 usage error, 3 the server cannot be reached, rejected the token
(D2_ERR_SERVER_UNAUTHORIZED) or refused the request (D2_ERR_SERVER).`,
    );

  connOptions(incident.command("list").description("list incidents, newest first"))
    .option("--status <list>", "comma-separated statuses, open or all", "open")
    .option("--priority <list>", "comma-separated priorities, e.g. P0,P1")
    .option("--service <name>", "only this service")
    .option("--limit <n>", "at most this many", "50")
    .option("--offset <n>", "skip this many", "0")
    .action(
      (
        o: ConnOpts & { status: string; priority?: string; service?: string; limit: string; offset: string },
      ) =>
        run(async (ctx) => {
          for (const [flag, v] of [
            ["--limit", o.limit],
            ["--offset", o.offset],
          ] as const)
            if (!/^\d+$/.test(v))
              throw usageError(`${flag}: expected a non-negative integer, got ${JSON.stringify(v)}`);
          const page = await clientFrom(o).listIncidents({
            status: o.status === "all" ? undefined : o.status,
            priority: o.priority,
            service: o.service,
            limit: Number(o.limit),
            offset: Number(o.offset),
          });
          emit(ctx, page, () => {
            const more =
              page.total > page.offset + page.items.length
                ? `\n(${page.total} in all; --offset for more)`
                : "";
            return incidentTable(page.items) + more;
          });
          return EXIT.ok;
        }),
    );

  connOptions(incident.command("show <id>").description("one incident and its timeline")).action(
    (id: string, o: ConnOpts) =>
      run(async (ctx) => {
        const d = await clientFrom(o).getIncident(id);
        emit(ctx, d, () => detail(d.incident, d.timeline));
        return EXIT.ok;
      }),
  );

  registerSteps(incident, run);

  connOptions(
    incident.command("note <id> <text...>").description("add a note to an incident's timeline"),
  ).action((id: string, text: string[], o: ConnOpts) =>
    run(async (ctx) => {
      const entry = await clientFrom(o).note(id, text.join(" "));
      emit(ctx, entry, () => `note added to incident ${id}`);
      return EXIT.ok;
    }),
  );

  connOptions(
    incident
      .command("review <id>")
      .description(
        "show the post-incident review draft (--markdown), or record the review (--save, --summary, --root-cause, --action)",
      ),
  )
    .option("--markdown", "show the draft as Markdown")
    .option("--save", "record the review (the draft, with any --summary/--root-cause/--action given)")
    .option("--summary <text>", "what happened, in a few sentences")
    .option("--root-cause <text>", "the root cause")
    .option(
      "--action <item>",
      'an action item: "title; owner=NAME; due=YYYY-MM-DD; runbook=PATH" (repeatable)',
      collect,
    )
    .action(
      (
        id: string,
        o: ConnOpts & {
          summary?: string;
          rootCause?: string;
          action?: string[];
          markdown?: boolean;
          save?: boolean;
        },
      ) =>
        run(async (ctx) => {
          const client = clientFrom(o);
          const saving =
            o.save || o.summary !== undefined || o.rootCause !== undefined || (o.action ?? []).length > 0;
          if (!saving) {
            const path = `/api/v1/incidents/${encodeURIComponent(id)}/review`;
            if (o.markdown) {
              const md = await client.request<string>("GET", `${path}?format=markdown`);
              ctx.stdout.write(md.endsWith("\n") ? md : `${md}\n`);
              return EXIT.ok;
            }
            const draft = await client.request<Record<string, unknown>>("GET", path);
            emit(ctx, draft, () => JSON.stringify(draft, null, 2));
            return EXIT.ok;
          }
          const actionItems = (o.action ?? []).map(parseActionItem);
          const updated = await client.review(id, {
            summary: o.summary,
            rootCause: o.rootCause,
            ...(actionItems.length ? { actionItems } : {}),
          });
          emit(ctx, updated, () => `incident ${updated.id} ${updated.status}`);
          return EXIT.ok;
        }),
    );
}
