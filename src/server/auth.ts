/**
 * Bearer tokens on every API route: `Authorization: Bearer <token>`, checked before the body is
 * read. A verified token is remembered for a few seconds (keyed by its hash) so an alert storm
 * does not look the same token up thousands of times a second; revoking takes effect after that.
 */
import { createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { HttpError } from "./errors.js";
import { roleAtLeast } from "./ports.js";
import type { Principal, ServerStore } from "./ports.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Who sent the request, on authenticated routes. */
    principal?: Principal;
  }
}

const MAX_CACHED = 1000;

export class TokenVerifier {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly store: Pick<ServerStore, "verifyToken">,
    private readonly cacheMs: number,
  ) {}

  async verify(token: string): Promise<Principal | undefined> {
    const key = createHash("sha256").update(token).digest("base64url");
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.principal;
    const principal = await this.store.verifyToken(token);
    if (principal && this.cacheMs > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { principal, until: now + this.cacheMs });
    }
    return principal;
  }

  /** Forgets every remembered token (after a revocation through the API). */
  clear(): void {
    this.cache.clear();
  }
}

/** An onRequest hook: 401 without a known token, 403 when its role is below the route's. */
export function authHook(verifier: TokenVerifier) {
  return async (request: FastifyRequest): Promise<void> => {
    const config = request.routeOptions.config;
    const url = request.routeOptions.url ?? "";
    if (config.auth === "public" || !url.startsWith("/api/")) return;
    const need = config.auth ?? "admin";
    const header = request.headers.authorization ?? "";
    const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
    const bearer = { "WWW-Authenticate": 'Bearer realm="day2"' };
    if (!m)
      throw new HttpError("D2_HTTP_UNAUTHORIZED", "missing Authorization: Bearer <token> header", bearer);
    const principal = await verifier.verify(m[1]!);
    if (!principal) throw new HttpError("D2_HTTP_UNAUTHORIZED", "unknown or revoked token", bearer);
    if (!roleAtLeast(principal.role, need))
      throw new HttpError(
        "D2_HTTP_FORBIDDEN",
        `token "${principal.name}" has role ${principal.role}; ${request.method} ${url} needs ${need}`,
      );
    request.principal = principal;
  };
}
