/**
 * API tokens: the plaintext is returned once at creation and never stored; the store keeps
 * its SHA-256 (hex). Tokens are 32 random bytes, so a plain hash is enough (no salt or slow
 * hash needed: there is nothing to guess). Roles: viewer, responder, admin.
 */
import { createHash, randomBytes } from "node:crypto";
import type { StoreDb } from "./db.js";
import { StoreValidationError, newId } from "./rows.js";
import type { ApiTokensTable } from "./schema.js";

export const TOKEN_ROLES = ["viewer", "responder", "admin"] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export interface ApiToken {
  id: string;
  name: string;
  role: TokenRole;
  createdAt: number;
  lastUsedAt?: number;
  revokedAt?: number;
}

/** Tokens look like `day2_<43 base64url characters>`. */
export const TOKEN_PREFIX = "day2_";

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function fromRow(r: ApiTokensTable): ApiToken {
  const t: ApiToken = { id: r.id, name: r.name, role: r.role as TokenRole, createdAt: r.created_at };
  if (r.last_used_at !== null) t.lastUsedAt = r.last_used_at;
  if (r.revoked_at !== null) t.revokedAt = r.revoked_at;
  return t;
}

/** Creates a token; `token` is the plaintext, shown to the user once. */
export async function createToken(
  store: StoreDb,
  input: { name: string; role: TokenRole },
  now = Date.now(),
): Promise<{ token: string; record: ApiToken }> {
  if (typeof input.name !== "string" || !input.name)
    throw new StoreValidationError("name", "must be a non-empty string");
  if (!TOKEN_ROLES.includes(input.role))
    throw new StoreValidationError("role", `must be one of ${TOKEN_ROLES.join(", ")}`);
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const row: ApiTokensTable = {
    id: newId("tok"),
    name: input.name,
    role: input.role,
    hash: hashToken(token),
    created_at: now,
    last_used_at: null,
    revoked_at: null,
  };
  await store.db.insertInto("api_tokens").values(row).execute();
  return { token, record: fromRow(row) };
}

/** How stale last_used_at may get before a verification writes it again (avoids a write per request). */
const LAST_USED_GRANULARITY_MS = 60_000;

/** The token's record when the plaintext is a live token, else undefined. */
export async function verifyToken(
  store: StoreDb,
  token: string,
  now = Date.now(),
): Promise<ApiToken | undefined> {
  if (typeof token !== "string" || !token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  const row = await store.db
    .selectFrom("api_tokens")
    .selectAll()
    .where("hash", "=", hashToken(token))
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_GRANULARITY_MS) {
    await store.db.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", row.id).execute();
    row.last_used_at = now;
  }
  return fromRow(row);
}

export async function listTokens(store: StoreDb): Promise<ApiToken[]> {
  const rows = await store.db
    .selectFrom("api_tokens")
    .selectAll()
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(fromRow);
}

/** Revokes a token; false when there is no such live token. */
export async function revokeToken(store: StoreDb, id: string, now = Date.now()): Promise<boolean> {
  const r = await store.db
    .updateTable("api_tokens")
    .set({ revoked_at: now })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
