/** `GET /api/v1/openapi.json`: the OpenAPI 3.1 document generated from the routes' schemas. */
import { z } from "zod";
import type { RoutePlugin } from "../provider.js";
import type { RouteContext } from "./common.js";

export const openapiRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.get(
    "/api/v1/openapi.json",
    {
      schema: { response: { 200: z.record(z.string(), z.unknown()).meta({ description: "OpenAPI 3.1" }) } },
      config: { auth: "public", doc: { summary: "this API as an OpenAPI 3.1 document", tags: ["service"] } },
    },
    async () => ctx.openapi(),
  );
};
