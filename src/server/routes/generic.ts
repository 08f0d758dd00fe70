/**
 * `POST /api/v1/alerts/generic/:source`: alerts from any other source, e.g.
 *
 *   {"alerts": [{"labels": {"alertname": "BackupFailed", "severity": "critical", "service": "db"},
 *                "annotations": {"summary": "nightly backup failed"}}]}
 *
 * labels.alertname is required; status defaults to firing, startsAt to now, the fingerprint to
 * a hash of the source and labels, the groupKey to the source and alertname.
 */
import { fromGeneric } from "../intake-map.js";
import { genericPayload, intakeAnswer, sourceParams } from "../schemas.js";
import type { RoutePlugin } from "../provider.js";
import { submitAlerts } from "./alertmanager.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";

export const genericRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.post(
    "/api/v1/alerts/generic/:source",
    {
      schema: {
        params: sourceParams,
        body: genericPayload,
        response: { 200: intakeAnswer, ...errorResponses(400, ...AUTH_ERRORS, 413, 415, 503) },
      },
      config: {
        auth: "responder",
        doc: {
          summary: "generic JSON webhook for alerts from other sources",
          description:
            "`:source` names the sender (lowercase letters, digits, `.`, `_`, `-`). Same answers as the " +
            "Alertmanager receiver.",
          tags: ["alerts"],
        },
      },
    },
    async (req) => {
      const source = req.params.source;
      const accepted = await submitAlerts(ctx, source, fromGeneric(source, req.body, Date.now()));
      return { accepted };
    },
  );
};
