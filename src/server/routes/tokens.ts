/** API tokens (admin): create (the token is shown once), list, revoke. */
import { z } from "zod";
import { HttpError } from "../errors.js";
import { tokenCreateBody, tokenCreated, tokenParams, tokenRecord } from "../schemas.js";
import type { RoutePlugin } from "../provider.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";

export const tokenRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.get(
    "/api/v1/tokens",
    {
      schema: {
        response: { 200: z.object({ items: z.array(tokenRecord) }), ...errorResponses(...AUTH_ERRORS) },
      },
      config: {
        auth: "admin",
        doc: { summary: "list API tokens (never the tokens themselves)", tags: ["tokens"] },
      },
    },
    async () => ({ items: await ctx.store.listTokens() }),
  );

  app.post(
    "/api/v1/tokens",
    {
      schema: {
        body: tokenCreateBody,
        response: { 201: tokenCreated, ...errorResponses(400, ...AUTH_ERRORS, 413, 415) },
      },
      config: { auth: "admin", doc: { summary: "create an API token; it is shown once", tags: ["tokens"] } },
    },
    async (req, reply) => reply.code(201).send(await ctx.store.createToken(req.body.name, req.body.role)),
  );

  app.delete(
    "/api/v1/tokens/:id",
    {
      schema: {
        params: tokenParams,
        response: { 204: z.null(), ...errorResponses(400, ...AUTH_ERRORS, 404) },
      },
      config: { auth: "admin", doc: { summary: "revoke an API token", tags: ["tokens"] } },
    },
    async (req, reply) => {
      if (!(await ctx.store.revokeToken(req.params.id)))
        throw new HttpError("D2_HTTP_NOT_FOUND", `token ${JSON.stringify(req.params.id)} not found`);
      ctx.verifier.clear();
      return reply.code(204).send(null);
    },
  );
};
