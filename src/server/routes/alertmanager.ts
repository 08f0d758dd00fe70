/**
 * `POST /api/v1/alerts/alertmanager`: Alertmanager's webhook (payload version 4). Answers 200
 * only once the alerts are committed; 503 with Retry-After when the intake queue is full or the
 * store fails, which Alertmanager retries. Alertmanager config (token as a file or inline):
 *
 *   receivers:
 *     - name: day2
 *       webhook_configs:
 *         - url: http://day2:8080/api/v1/alerts/alertmanager
 *           send_resolved: true
 *           http_config:
 *             authorization:
 *               type: Bearer
 *               credentials_file: /etc/alertmanager/day2-token
 */
import { fromAlertmanager } from "../intake-map.js";
import { alertmanagerPayload, intakeAnswer } from "../schemas.js";
import type { IntakeGroup } from "../ports.js";
import type { RoutePlugin } from "../provider.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";

/** Queues the groups and waits for their commit; errors become 503 in the error handler. */
export async function submitAlerts(
  ctx: RouteContext,
  source: string,
  groups: IntakeGroup[],
): Promise<number> {
  const count = groups.reduce((n, g) => n + g.alerts.length, 0);
  try {
    await ctx.intake.submit(groups);
  } catch (err) {
    ctx.metrics.alertsRejected.inc({ source, reason: (err as Error).name }, count);
    throw err;
  }
  ctx.metrics.alertsAccepted.inc({ source }, count);
  return count;
}

export const alertmanagerRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.post(
    "/api/v1/alerts/alertmanager",
    {
      schema: {
        body: alertmanagerPayload,
        response: { 200: intakeAnswer, ...errorResponses(400, ...AUTH_ERRORS, 413, 415, 503) },
      },
      config: {
        auth: "responder",
        doc: {
          summary: "Alertmanager webhook receiver (payload version 4)",
          description:
            "Alerts are deduplicated by fingerprint and grouped into one incident per open groupKey; " +
            "resolved alerts resolve. 200 only after commit; re-delivery is idempotent; 503 with " +
            "Retry-After when the intake queue is full.",
          tags: ["alerts"],
        },
      },
    },
    async (req) => {
      const accepted = await submitAlerts(ctx, "alertmanager", [fromAlertmanager(req.body, Date.now())]);
      return { accepted };
    },
  );
};
