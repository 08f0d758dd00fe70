/**
 * Cost: the monthly total, where it goes (namespaces, labels), what sits idle, what could be
 * saved (in dollars), and the history with its forecast and low-high band.
 */
import { useState } from "react";
import type { CostSummary } from "../api/types.js";
import { useApi } from "../api/useApi.js";
import { ErrorBox, Loading } from "../components/ErrorBox.js";
import { LineChart } from "../components/LineChart.js";
import { date, num, usd } from "../format.js";

const KIND_LABEL: Record<string, string> = {
  "quick-win": "quick win",
  waste: "unused",
  rightsize: "right-size",
};

function Bars({ rows }: { rows: { name: string; monthly: number; idleMonthly?: number }[] }) {
  const max = Math.max(...rows.map((r) => r.monthly), 1);
  return (
    <div className="table-wrap">
      <table className="table bars">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col" className="num">
              Monthly
            </th>
            {rows.some((r) => r.idleMonthly !== undefined) ? (
              <th scope="col" className="num">
                Idle
              </th>
            ) : null}
            <th scope="col" className="bar-col">
              <span className="sr-only">Share</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} data-row={r.name}>
              <td>{r.name}</td>
              <td className="num">{usd(r.monthly)}</td>
              {r.idleMonthly !== undefined ? <td className="num">{usd(r.idleMonthly)}</td> : null}
              <td className="bar-col" aria-hidden="true">
                <span className="bar" style={{ width: `${(r.monthly / max) * 100}%` }}>
                  {r.idleMonthly ? (
                    <span
                      className="bar-idle"
                      style={{ width: `${(r.idleMonthly / Math.max(r.monthly, 1e-9)) * 100}%` }}
                    />
                  ) : null}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ByLabel({ c }: { c: CostSummary }) {
  const [label, setLabel] = useState(c.byLabel[0]?.label ?? "");
  const current = c.byLabel.find((l) => l.label === label) ?? c.byLabel[0];
  if (!current) return <p className="muted">No labels to break the cost down by.</p>;
  return (
    <>
      <label className="inline">
        Label{" "}
        <select value={current.label} onChange={(e) => setLabel(e.target.value)}>
          {c.byLabel.map((l) => (
            <option key={l.label} value={l.label}>
              {l.label}
            </option>
          ))}
        </select>
      </label>
      <Bars rows={current.rows.map((r) => ({ name: r.value || "(no label)", monthly: r.monthly }))} />
    </>
  );
}

export function Cost() {
  const res = useApi<CostSummary>("/api/v1/cost");
  if (!res.data)
    return (
      <section className="page">
        <h1>Cost</h1>
        {res.state === "error" ? (
          <ErrorBox error={res.error} onRetry={res.reload} />
        ) : (
          <Loading what="cost" />
        )}
      </section>
    );
  const c = res.data;
  const history = c.history.map((h) => ({ t: Date.parse(h.at), v: h.monthly }));
  const forecast = c.forecast.map((f) => ({ t: Date.parse(f.at), v: f.monthly, low: f.low, high: f.high }));
  return (
    <section className="page" aria-labelledby="cost-title">
      <header className="page-head">
        <h1 id="cost-title">Cost</h1>
        <p className="muted small">
          as of {date(c.at)} · {c.currency} per month
        </p>
      </header>
      <section className="stats" aria-label="Cost summary">
        <article className="card stat" data-stat="total">
          <h3>Monthly total</h3>
          <p className="stat-value num">{usd(c.monthlyTotal)}</p>
        </article>
        <article className="card stat" data-stat="idle">
          <h3>Idle</h3>
          <p className="stat-value num">{usd(c.idle.monthly)}</p>
          <p className="muted small num">{num(c.idle.pct, 1)} % of the cluster is paid for and unused</p>
        </article>
        <article className="card stat" data-stat="overhead">
          <h3>Overhead</h3>
          <p className="stat-value num">{usd(c.overhead.monthly)}</p>
          <p className="muted small">system and unallocated</p>
        </article>
        <article className="card stat" data-stat="savings">
          <h3>Possible savings</h3>
          <p className="stat-value num good-text">{usd(c.savings.monthlyTotal)}</p>
          <p className="muted small">per month, from {c.savings.items.length} recommendations below</p>
        </article>
      </section>
      <section aria-labelledby="trend-title">
        <h2 id="trend-title">History and forecast</h2>
        <LineChart title="Monthly cost" history={history} forecast={forecast} format={usd} />
      </section>
      <div className="two-col">
        <section aria-labelledby="ns-title">
          <h2 id="ns-title">By namespace</h2>
          <Bars rows={c.byNamespace} />
        </section>
        <section aria-labelledby="label-title">
          <h2 id="label-title">By label</h2>
          <ByLabel c={c} />
        </section>
      </div>
      <section aria-labelledby="savings-title">
        <h2 id="savings-title">Savings</h2>
        {c.savings.items.length === 0 ? (
          <p className="empty">Nothing to save right now.</p>
        ) : (
          <div className="table-wrap">
            <table className="table savings">
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Target</th>
                  <th scope="col">Action</th>
                  <th scope="col" className="num">
                    Saves / month
                  </th>
                </tr>
              </thead>
              <tbody>
                {c.savings.items.map((s, i) => (
                  <tr key={`${s.kind}-${s.target}-${i}`}>
                    <td>{KIND_LABEL[s.kind] ?? s.kind}</td>
                    <td className="mono small">{s.target}</td>
                    <td>
                      <code className="action">{s.action}</code>
                    </td>
                    <td className="num">{usd(s.monthly)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}
