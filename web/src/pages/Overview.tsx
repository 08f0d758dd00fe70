/**
 * The morning page: are we excelling at Day 2 (the success criteria), the 16 KPIs, the scan
 * score, findings and open incidents.
 */
import type { Overview as OverviewData, ScoresPage, SuccessCriterion } from "../api/types.js";
import { useApi } from "../api/useApi.js";
import { Badge } from "../components/Badge.js";
import { ErrorBox, Loading } from "../components/ErrorBox.js";
import { KpiCard } from "../components/KpiCard.js";
import { LineChart } from "../components/LineChart.js";
import { Sparkline } from "../components/Sparkline.js";
import { SignOffForm } from "../components/SignOffForm.js";
import { ago, count, date, duration, num } from "../format.js";
import { href } from "../router.js";
import { canRespond, useSession } from "../session.js";

const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
const PRIORITIES = ["P0", "P1", "P2", "P3"] as const;

function Success({ items, onChange }: { items: SuccessCriterion[]; onChange: () => void }) {
  const { user } = useSession();
  const responder = canRespond(user);
  return (
    <section aria-labelledby="success-title" className="success">
      <h2 id="success-title">Excelling at Day 2?</h2>
      <ul className="success-list">
        {items.map((c) => (
          <li key={c.id} className="card" data-criterion={c.id}>
            <div className="success-head">
              <Badge status={c.status} />
              <strong>{c.title}</strong>
            </div>
            <p className="muted small">{c.evidence}</p>
            {c.signoff ? (
              <p className="small">
                Signed by {c.signoff.by} on {date(c.signoff.at)}
                {c.signoff.note ? `: ${c.signoff.note}` : ""}
              </p>
            ) : null}
            {c.judgedBy === "signoff" && c.status !== "signed" ? (
              responder ? (
                <SignOffForm itemId={c.id} title={c.title} onDone={onChange} />
              ) : (
                <p className="small muted">A person judges this one: a responder signs it off here.</p>
              )
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Score points of the stored runs, oldest first (runs without a score left out). */
function scorePoints(scores: ScoresPage | undefined): { t: number; v: number }[] {
  return (scores?.items ?? []).flatMap((s) =>
    s.score === null ? [] : [{ t: Date.parse(s.at), v: s.score }],
  );
}

/** The change over the stored history: "+9.8 since Oct 22". */
function ScoreTrend({ points }: { points: { t: number; v: number }[] }) {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last || points.length < 2) return null;
  const delta = last.v - first.v;
  const word = Math.abs(delta) < 0.5 ? "steady" : delta > 0 ? "better" : "worse";
  const cls = word === "steady" ? "" : word === "better" ? "trend-good" : "trend-bad";
  return (
    <div className="kpi-foot score-trend">
      <span className={`trend ${cls}`}>
        {delta > 0 ? "+" : ""}
        {num(delta, 1)} since {date(first.t).replace(/, \d{4}$/, "")} ({word})
      </span>
      <Sparkline
        points={points.map((p) => ({ at: new Date(p.t).toISOString(), value: p.v }))}
        label={`Cluster score: last ${points.length} runs`}
      />
    </div>
  );
}

function Health({ o, scores }: { o: OverviewData; scores: { t: number; v: number }[] }) {
  const score = o.score?.value;
  return (
    <section className="stats" aria-label="Cluster health">
      <article className="card stat" data-stat="score">
        <h3>Cluster score</h3>
        <p className="stat-value num">
          {score === null || score === undefined ? "–" : num(score, 0)}
          <span className="unit">/100</span>
        </p>
        <p className="muted small">
          {o.score?.coverage !== null && o.score?.coverage !== undefined
            ? `${num(o.score.coverage * 100, 0)} % of checks evaluated`
            : "no scan yet"}
        </p>
        <ScoreTrend points={scores} />
      </article>
      <article className="card stat" data-stat="findings">
        <h3>
          <a href="#/findings">Open findings</a>
        </h3>
        <ul className="counts">
          {SEVERITIES.map((s) => (
            <li key={s}>
              <a href={href(["findings"], { severity: s })}>
                <Badge status={s} /> <span className="num">{count(o.findingCounts[s])}</span>
              </a>
            </li>
          ))}
        </ul>
      </article>
      <article className="card stat" data-stat="incidents">
        <h3>
          <a href="#/incidents">Open incidents</a>
        </h3>
        <p className="stat-value num">{count(o.openIncidents.total)}</p>
        <ul className="counts">
          {PRIORITIES.map((p) => (
            <li key={p}>
              <a href={href(["incidents"], { status: "open", priority: p })}>
                <Badge status={p} /> <span className="num">{count(o.openIncidents.byPriority[p])}</span>
              </a>
            </li>
          ))}
        </ul>
      </article>
    </section>
  );
}

function Collection({ o }: { o: OverviewData }) {
  const c = o.lastCollection;
  return (
    <p className="muted small collection">
      {o.cluster ? `${o.cluster.name} (${o.cluster.source}) · ` : "No cluster collected yet · "}
      {c
        ? c.ok
          ? `last collected ${ago(c.at)} in ${duration(c.durationMs)}`
          : `last collection failed ${ago(c.at)}: ${c.error ?? "unknown error"}`
        : "waiting for the first collection"}
    </p>
  );
}

export function Overview() {
  const res = useApi<OverviewData>("/api/v1/overview");
  const scores = scorePoints(useApi<ScoresPage>("/api/v1/scores?days=90").data);
  if (!res.data) {
    return (
      <section className="page">
        <h1>Overview</h1>
        {res.state === "error" ? (
          <ErrorBox error={res.error} onRetry={res.reload} />
        ) : (
          <Loading what="the overview" />
        )}
      </section>
    );
  }
  const o = res.data;
  return (
    <section className="page" aria-labelledby="overview-title">
      <header className="page-head">
        <h1 id="overview-title">Overview</h1>
        <Collection o={o} />
      </header>
      {res.state === "error" ? <ErrorBox error={res.error} onRetry={res.reload} /> : null}
      <Success items={o.success} onChange={res.reload} />
      <Health o={o} scores={scores} />
      <section aria-labelledby="kpi-title">
        <h2 id="kpi-title">KPIs</h2>
        <div className="kpi-grid">
          {o.kpis.map((k) => (
            <KpiCard key={k.id} k={k} />
          ))}
        </div>
      </section>
      <section aria-labelledby="score-title" data-chart="score">
        <h2 id="score-title">Cluster score over time</h2>
        <LineChart
          title="Cluster score"
          history={scores}
          format={(v) => num(v, 0)}
          cap={100}
          height={220}
          historyLabel="score (0–100)"
        />
      </section>
    </section>
  );
}
