/** `day2 cost capacity`: per pool forecasts of requests and usage, and when each crosses headroom. */
import type { Command } from "commander";
import { poolHistories } from "../../cost/capacity-history.js";
import { forecastPool } from "../../cost/forecast.js";
import {
  capacityDoc,
  capacityHtml,
  capacityJson,
  capacityTable,
  capacityYaml,
} from "../../cost/render/capacity.js";
import { fetchRequestHistory, type RequestHistory } from "../../cost/usage/prometheus.js";
import { PromError } from "../../prom/errors.js";
import { usageError } from "../errors.js";
import { docHeader, parseSpan, partialOf, registerCostCommand, type RunFn } from "./shared.js";

export function registerCapacity(cost: Command, run: RunFn): void {
  registerCostCommand(cost, run, {
    name: "capacity",
    description:
      "per pool forecasts of CPU, memory and pod-count requests and usage; when each crosses the headroom",
    configure: (cmd) =>
      cmd
        .alias("forecast")
        .option("--headroom <percent>", "the share of allocatable that counts as full (default 80)")
        .option("--horizon <duration>", "how far ahead to forecast, e.g. 30d, 8w (default 30d)"),
    defaultWindow: "28d",
    help: `
Examples:
  day2 cost capacity                               # the demo cluster if there is no kubeconfig
  day2 cost capacity -o html > capacity.html       # with a chart per pool and metric
  day2 cost capacity --prometheus http://127.0.0.1:9090 --window 8w --horizon 90d
  day2 cost capacity --headroom 70 -o json

History: default 28d at a 1h step (--window, --step). Requests come from kube-state-metrics
through --prometheus when it has them, else from the current pods and their creation times;
usage from --prometheus or the demo's generated history (metrics-server has no history).
Method: weekly seasonality with 14 days of history or more, daily with 2, else a linear
trend; the output says which, and how much history it had.

Exit codes: 0 ok (also partial), 2 usage error, 3 input or connection error, or Prometheus
answered no query at all.`,
    prices: false,
    defaultStep: 3600,
    parse: (args, { usageFlags }) => {
      usageFlags();
      const headText = args.headroom as string | undefined;
      if (
        headText !== undefined &&
        (!/^\d+(\.\d+)?$/.test(headText) || Number(headText) <= 0 || Number(headText) > 100)
      )
        throw usageError(
          `--headroom: expected a percentage above 0 up to 100, got ${JSON.stringify(headText)}`,
        );
      return {
        headroom: headText === undefined ? 0.8 : Number(headText) / 100,
        horizonDays: parseSpan((args.horizon as string | undefined) ?? "30d", "--horizon") / 86_400,
      };
    },
    compute: async ({ ctx, options, state, usage, prom }) => {
      const { opts, log } = ctx;
      const { headroom, horizonDays } = options;
      let requests: RequestHistory | undefined;
      const problems: string[] = [];
      if (prom) {
        try {
          requests = await fetchRequestHistory(prom, state, usage.window, {
            ...(opts.namespace ? { namespaces: [opts.namespace] } : {}),
          });
          for (const p of requests.problems) log.warn(`partial: ${p}`);
        } catch (e) {
          if (!(e instanceof PromError)) throw e;
          problems.push(`request history: ${e.message}`);
          log.warn(`partial: request history: ${e.message}`);
        }
      }
      const h = poolHistories(state, usage.window, { usage, requests });
      const forecasts = h.pools.map((p) => ({
        ...forecastPool(p, { headroom, horizonDays }),
        allocatable: p.allocatable,
      }));
      const partial = partialOf(usage, requests, problems.length ? { partial: true, problems } : undefined);
      const doc = capacityDoc(forecasts, {
        ...docHeader(state, usage, partial),
        headroom,
        horizonDays,
        requestsFrom: h.requestsFrom,
        usageFrom: h.usageFrom,
      });
      return { doc, forecasts };
    },
    render: {
      table: ({ doc }, style) => capacityTable(doc, style),
      json: ({ doc }) => capacityJson(doc),
      yaml: ({ doc }) => capacityYaml(doc),
      html: ({ doc, forecasts }) => capacityHtml(doc, forecasts),
    },
  });
}
