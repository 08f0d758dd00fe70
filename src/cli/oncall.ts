/**
 * `day2 oncall`: who is on call now and next, per schedule of day2.yaml's `incidents:`
 * section (rotations and overrides), at --at (default now). Table, JSON or YAML.
 */
import type { Command } from "commander";
import { stringify } from "yaml";
import { loadConfig } from "../config/config.js";
import { onCallRows } from "../incident/oncall.js";
import { columns } from "../report/render/columns.js";
import type { CommandContext } from "./context.js";
import { EXIT, usageError } from "./errors.js";

type Run = (fn: (ctx: CommandContext) => Promise<number>, args?: Record<string, unknown>) => Promise<void>;

function iso(ms: number | undefined): string {
  return ms === undefined ? "" : new Date(ms).toISOString().replace(/:00\.000Z$/, "Z");
}

async function oncall(ctx: CommandContext, o: { config?: string; at?: string }): Promise<number> {
  const f = ctx.opts.output;
  if (!["table", "wide", "json", "yaml"].includes(f))
    throw usageError(`-o ${f}: day2 oncall writes table, json or yaml`);
  const at = o.at === undefined ? Date.now() : Date.parse(o.at);
  if (Number.isNaN(at))
    throw usageError(
      `--at: expected an RFC 3339 time, e.g. 2026-03-01T09:00:00Z, got ${JSON.stringify(o.at)}`,
    );
  const schedules = loadConfig(o.config)?.incidents?.schedules ?? [];
  const rows = onCallRows(schedules, at);
  const data = {
    at: new Date(at).toISOString(),
    items: rows.map((r) => ({
      ...r,
      ...(r.from !== undefined ? { from: new Date(r.from).toISOString() } : {}),
      ...(r.until !== undefined ? { until: new Date(r.until).toISOString() } : {}),
    })),
  };
  let text: string;
  if (f === "json") text = JSON.stringify(data, null, 2);
  else if (f === "yaml") text = stringify(data);
  else if (rows.length === 0) text = "No on-call schedules (add incidents.schedules to day2.yaml).";
  else
    text = columns(
      ["SCHEDULE", "WHEN", "USER", "LAYER", "FROM", "UNTIL"],
      rows.map((r) => [
        r.schedule,
        r.when,
        r.user ?? "(nobody)",
        r.override ? "override" : (r.layer ?? ""),
        iso(r.from),
        iso(r.until),
      ]),
    );
  ctx.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  return EXIT.ok;
}

export function registerOncall(program: Command, run: Run): void {
  program
    .command("oncall")
    .description("who is on call now and next, per schedule (incidents.schedules in day2.yaml)")
    .option("--config <file>", "day2.yaml (default: ./day2.yaml when present)")
    .option("--at <time>", "an RFC 3339 time instead of now")
    .action((o: { config?: string; at?: string }) => run((ctx) => oncall(ctx, o)));
}
