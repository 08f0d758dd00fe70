/**
 * `day2 token create|list|revoke`: API tokens, directly against the store (so the first admin
 * token exists before anyone can call the API). A token is printed once and stored hashed.
 */
import type { Command } from "commander";
import { columns } from "../report/render/columns.js";
import { ROLES } from "../server/ports.js";
import type { Role } from "../server/ports.js";
import { openServerStore } from "../server/store-adapter.js";
import type { CommandContext } from "./context.js";
import { EXIT, CliError, usageError } from "./errors.js";
import { DB_HELP, defaultDbPath } from "./serve.js";

type Run = (fn: (ctx: CommandContext) => Promise<number>, args?: Record<string, unknown>) => Promise<void>;

async function withStore<T>(
  db: string | undefined,
  fn: (s: Awaited<ReturnType<typeof openServerStore>>) => Promise<T>,
): Promise<T> {
  const store = await openServerStore(db ?? defaultDbPath());
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function registerToken(program: Command, run: Run): void {
  const token = program
    .command("token")
    .description("API tokens for day2 serve: create (printed once), list, revoke")
    .addHelpText(
      "after",
      `
Examples:
  day2 token create --role admin --name alice          # prints the token once
  day2 token create --role responder --name alertmanager > /etc/alertmanager/day2-token
  day2 token list
  day2 token revoke tok_...

Roles: viewer (read), responder (also ack, resolve, note, send alerts), admin (also tokens).`,
    );

  token
    .command("create")
    .description("create a token and print it (only this once)")
    .requiredOption("--role <role>", `one of ${ROLES.join(", ")}`)
    .requiredOption("--name <name>", "who or what uses it (shown in the timeline as the actor)")
    .option("--db <path|url>", DB_HELP)
    .action((o: { role: string; name: string; db?: string }) =>
      run(async (ctx) => {
        if (!(ROLES as readonly string[]).includes(o.role))
          throw usageError(`--role: expected one of ${ROLES.join(", ")}, got ${JSON.stringify(o.role)}`);
        if (!/^\S.{0,252}$/.test(o.name)) throw usageError("--name: expected 1 to 253 characters");
        const created = await withStore(o.db, (s) => s.createToken(o.name, o.role as Role));
        if (ctx.opts.output === "json") ctx.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
        else ctx.stdout.write(`${created.token}\n`);
        ctx.log.info(
          `token ${created.record.id} (${o.role}) for ${o.name}: store it now, it is not shown again`,
        );
        return EXIT.ok;
      }),
    );

  token
    .command("list")
    .description("list tokens (id, name, role; never the tokens)")
    .option("--db <path|url>", DB_HELP)
    .action((o: { db?: string }) =>
      run(async (ctx) => {
        const items = await withStore(o.db, (s) => s.listTokens());
        if (ctx.opts.output === "json") ctx.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
        else
          ctx.stdout.write(
            `${columns(
              ["ID", "NAME", "ROLE", "CREATED"],
              items.map((t) => [t.id, t.name, t.role, new Date(t.createdAt).toISOString()]),
            )}\n`,
          );
        return EXIT.ok;
      }),
    );

  token
    .command("revoke <id>")
    .description("revoke a token")
    .option("--db <path|url>", DB_HELP)
    .action((id: string, o: { db?: string }) =>
      run(async (ctx) => {
        const ok = await withStore(o.db, (s) => s.revokeToken(id));
        if (!ok) throw new CliError("D2_ERR_USAGE", `no token ${JSON.stringify(id)}`);
        ctx.stdout.write(`token ${id} revoked\n`);
        return EXIT.ok;
      }),
    );
}
