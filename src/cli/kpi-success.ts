/**
 * `day2 kpi success`: the handbook's "excelling at Day 2" list (src/success), judged from the
 * KPIs `day2 kpi` computes (same sources and flags) and the success sign-offs in the store
 * (`day2 rhythm signoff success.<item>`).
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { stringify } from "yaml";
import type { KpiResult } from "../kpi/types.js";
import { isPostgresUrl, Store } from "../store/index.js";
import { judgeSuccess, type SuccessSignoff } from "../success/criteria.js";
import { SUCCESS_SIGNOFF_ITEMS } from "../success/items.js";
import { successMarkdown, successTable } from "../success/render.js";
import { loadSuccessSignoffs } from "../success/signoffs.js";
import type { CommandContext } from "./context.js";
import { EXIT } from "./errors.js";
import { checkFormat, write, type RunFn } from "./cost/shared.js";
import { defaultDbPath } from "./serve.js";

const FORMATS = ["table", "json", "yaml", "markdown"] as const;

/** Sign-offs from --db, else from the default store when it exists (reading never creates one). */
async function signoffs(ctx: CommandContext): Promise<SuccessSignoff[]> {
  const target = typeof ctx.args.db === "string" ? ctx.args.db : defaultDbPath();
  if (!isPostgresUrl(target) && !existsSync(target)) {
    ctx.log.info(`success: no sign-off store (give --db; looked for ${target}): the sign-offs are open`);
    return [];
  }
  const store = await Store.open(target);
  try {
    return await loadSuccessSignoffs(store.raw);
  } finally {
    await store.close();
  }
}

async function runSuccess(
  ctx: CommandContext,
  computeKpis: (ctx: CommandContext) => Promise<KpiResult[]>,
): Promise<number> {
  const format = checkFormat(ctx.opts, "day2 kpi success", FORMATS);
  const kpis = await computeKpis(ctx);
  const rows = judgeSuccess(kpis, await signoffs(ctx));
  const text =
    format === "json"
      ? JSON.stringify(rows, null, 2) + "\n"
      : format === "yaml"
        ? stringify(rows)
        : format === "markdown"
          ? successMarkdown(rows)
          : successTable(rows);
  await write(ctx.stdout, text);
  return EXIT.ok;
}

export function registerKpiSuccess(
  kpi: Command,
  run: RunFn,
  deps: {
    computeKpis: (ctx: CommandContext) => Promise<KpiResult[]>;
    addKpiSourceOptions: (cmd: Command) => Command;
  },
): void {
  const cmd = kpi
    .command("success")
    .description(
      "the success criteria: incidents, costs, performance, security from the KPIs; three sign-offs",
    );
  deps.addKpiSourceOptions(cmd);
  cmd.addHelpText(
    "after",
    `
Judged from the KPIs (same sources and flags as \`day2 kpi\`): a criterion is missed when one of
its KPIs is missed, at risk when one is at risk, met when all with data are met (KPIs without
data are left out and named), no data when none has data. For "costs trending down" and
"performance improving" a KPI that meets its target but moved the wrong way since --previous
counts as at risk.

Signed off by a person (stored with the rhythm sign-offs; --db, else the default store): ${SUCCESS_SIGNOFF_ITEMS.map((i) => i.id).join(", ")}.
A sign-off counts for a quarter (91 days), then the criterion is open again.

Examples:
  day2 kpi success --db day2.db --prometheus http://127.0.0.1:9090
  day2 kpi success -o markdown > success.md
  day2 rhythm signoff success.team-confidence --by alice --note "on-call survey 4.2/5"

Output: -o table (default), json, yaml, markdown.`,
  );
  cmd.action((raw: Record<string, unknown>) => run((ctx) => runSuccess(ctx, deps.computeKpis), raw));
}
