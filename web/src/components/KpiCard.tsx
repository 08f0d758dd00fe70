/** One KPI tile: value against its target, status in colour and words, trend and sparkline. */
import type { KpiTile } from "../api/types.js";
import { kpiValue, num } from "../format.js";
import { Badge } from "./Badge.js";
import { Sparkline } from "./Sparkline.js";
import { trendIsBetter } from "../../../src/kpi/status.js";

const ARROW = { up: "↑", down: "↓", flat: "→" } as const;

function Trend({ k }: { k: KpiTile }) {
  if (!k.trend) return <span className="trend muted">no previous value</span>;
  const good = trendIsBetter(k);
  const word = good === null ? "steady" : good ? "better" : "worse";
  const sign = k.trend.delta > 0 ? "+" : "";
  return (
    <span
      className={`trend ${good === null ? "" : good ? "trend-good" : "trend-bad"}`}
      title={`previous ${kpiValue(k.trend.previous, k.unit)}`}
    >
      <span aria-hidden="true">{ARROW[k.trend.direction]}</span> {sign}
      {num(k.trend.delta)} ({word})
    </span>
  );
}

export function KpiCard({ k }: { k: KpiTile }) {
  return (
    <article className={`card kpi status-${k.status}`} data-kpi={k.id} aria-labelledby={`kpi-${k.id}`}>
      <header className="kpi-head">
        <h3 id={`kpi-${k.id}`} title={k.definition}>
          {k.name}
        </h3>
        <Badge status={k.status} />
      </header>
      <p className={`kpi-value ${k.value === null ? "muted" : ""}`}>{kpiValue(k.value, k.unit)}</p>
      <p className="kpi-target">
        target <span className="num">{k.targetText}</span>
      </p>
      <div className="kpi-foot">
        <Trend k={k} />
        <Sparkline points={k.history} label={`${k.name}: last ${k.history.length} stored values`} />
      </div>
      {k.reason ? <p className="kpi-reason">{k.reason}</p> : null}
    </article>
  );
}
