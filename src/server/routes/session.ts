/** Who the bearer token belongs to: the dashboard's sign-in check and role-aware buttons. */
import { z } from "zod";
import { ROLES } from "../ports.js";
import type { RoutePlugin } from "../provider.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";

/** The answer of GET /api/v1/whoami. */
export const whoami = z.object({ name: z.string(), role: z.enum(ROLES) });

export const sessionRoutes: RoutePlugin<RouteContext> = async (app) => {
  app.get(
    "/api/v1/whoami",
    {
      schema: { response: { 200: whoami, ...errorResponses(...AUTH_ERRORS) } },
      config: {
        auth: "viewer",
        doc: { summary: "the token's name and role (sign-in check)", tags: ["tokens"] },
      },
    },
    async (req) => ({ name: req.principal!.name, role: req.principal!.role }),
  );
};
