/**
 * Findings of the latest scans: filter by severity, namespace, rule and status, sort, group
 * by namespace or rule, and the runbook of each. The filters live in the URL (shareable).
 */
import type { FindingGroups, FindingRow, FindingsPage } from "../api/types.js";
import { query } from "../api/client.js";
import { useApi } from "../api/useApi.js";
import { Badge } from "../components/Badge.js";
import { ErrorBox, Loading } from "../components/ErrorBox.js";
import { ago, count, dateTime } from "../format.js";
import { href, navigate } from "../router.js";

const PAGE = 100;
const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
const SORTS = [
  ["severity", "severity"],
  ["rule", "rule"],
  ["namespace", "namespace"],
  ["firstSeen", "first seen"],
  ["lastSeen", "last seen"],
] as const;

interface Filters {
  severity: string;
  namespace: string;
  rule: string;
  status: string;
  sort: string;
  order: string;
  group: string;
  offset: number;
}

function filtersOf(q: URLSearchParams): Filters {
  return {
    severity: q.get("severity") ?? "",
    namespace: q.get("namespace") ?? "",
    rule: q.get("rule") ?? "",
    status: q.get("status") ?? "open",
    sort: q.get("sort") ?? "severity",
    order: q.get("order") ?? "",
    group: q.get("group") ?? "",
    offset: Math.max(0, Number(q.get("offset") ?? 0) || 0),
  };
}

function go(f: Filters, over: Partial<Filters>) {
  const n = { ...f, offset: 0, ...over };
  navigate(
    href(["findings"], {
      severity: n.severity,
      namespace: n.namespace,
      rule: n.rule,
      status: n.status === "open" ? undefined : n.status,
      sort: n.sort === "severity" ? undefined : n.sort,
      order: n.order,
      group: n.group,
      offset: n.offset ? String(n.offset) : undefined,
    }),
  );
}

/** Runbooks are repository paths (runbooks/<rule>.md) or URLs. */
function Runbook({ f }: { f: FindingRow }) {
  if (!f.runbook) return <span className="muted">–</span>;
  const url = /^https?:\/\//.test(f.runbook) ? f.runbook : `/${f.runbook.replace(/^\/+/, "")}`;
  return (
    <a href={url} target="_blank" rel="noreferrer" title={f.runbook}>
      runbook
    </a>
  );
}

function Select({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: [string, string][];
  onChange: (v: string) => void;
}) {
  return (
    <label>
      {label}
      <select
        name={label.toLowerCase().replace(/\s+/g, "-")}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      >
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

function Groups({ f }: { f: Filters }) {
  const res = useApi<FindingGroups>(`/api/v1/findings/groups${query({ by: f.group, status: f.status })}`);
  if (res.state === "error") return <ErrorBox error={res.error} onRetry={res.reload} />;
  if (!res.data) return <Loading what="groups" />;
  if (res.data.items.length === 0) return <p className="empty">No findings.</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{f.group === "rule" ? "Rule" : "Namespace"}</th>
            <th scope="col" className="num">
              Findings
            </th>
            {SEVERITIES.map((s) => (
              <th key={s} scope="col" className="num">
                {s}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {res.data.items.map((g) => (
            <tr key={g.key} data-group={g.key}>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => go(f, { group: "", [f.group === "rule" ? "rule" : "namespace"]: g.key })}
                >
                  {g.key || "(cluster-scoped)"}
                </button>
              </td>
              <td className="num">{count(g.count)}</td>
              {SEVERITIES.map((s) => (
                <td key={s} className={`num ${g.bySeverity[s] ? "" : "muted"}`}>
                  {count(g.bySeverity[s])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function List({ f }: { f: Filters }) {
  const res = useApi<FindingsPage>(
    `/api/v1/findings${query({
      severity: f.severity,
      namespace: f.namespace,
      rule: f.rule,
      status: f.status,
      sort: f.sort,
      order: f.order,
      limit: PAGE,
      offset: f.offset,
    })}`,
  );
  if (res.state === "error" && !res.data) return <ErrorBox error={res.error} onRetry={res.reload} />;
  if (!res.data) return <Loading what="findings" />;
  const { items, total } = res.data;
  return (
    <>
      <p className="muted num">{count(total)} findings</p>
      {items.length === 0 ? <p className="empty">No findings match these filters.</p> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="table findings">
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Finding</th>
                <th scope="col">Object</th>
                <th scope="col" className="num">
                  First seen
                </th>
                <th scope="col">Runbook</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.key} data-finding={r.ruleId}>
                  <td>
                    <Badge status={r.severity} />
                    {r.fixedAt ? <Badge status="fixed" label={`fixed ${ago(r.fixedAt)}`} /> : null}
                  </td>
                  <td>
                    <strong>{r.title}</strong> <span className="mono muted small">{r.ruleId}</span>
                    <div className="small">{r.message}</div>
                  </td>
                  <td className="mono small">
                    {r.kind}/{r.namespace ? `${r.namespace}/` : ""}
                    {r.name}
                  </td>
                  <td className="num small" title={`last seen ${dateTime(r.lastSeen)}`}>
                    {dateTime(r.firstSeen)}
                  </td>
                  <td>
                    <Runbook f={r} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {total > PAGE ? (
        <nav className="pager" aria-label="Pages of findings">
          <button
            type="button"
            disabled={f.offset === 0}
            onClick={() => go(f, { offset: Math.max(0, f.offset - PAGE) })}
          >
            ← Previous
          </button>
          <span className="num">
            {count(f.offset + 1)}–{count(Math.min(f.offset + PAGE, total))} of {count(total)}
          </span>
          <button
            type="button"
            disabled={f.offset + PAGE >= total}
            onClick={() => go(f, { offset: f.offset + PAGE })}
          >
            Next →
          </button>
        </nav>
      ) : null}
    </>
  );
}

export function Findings({ query: q }: { query: URLSearchParams }) {
  const f = filtersOf(q);
  const namespaces = useApi<FindingGroups>(
    `/api/v1/findings/groups?by=namespace&status=${encodeURIComponent(f.status)}`,
  );
  const rules = useApi<FindingGroups>(
    `/api/v1/findings/groups?by=rule&status=${encodeURIComponent(f.status)}`,
  );
  const keys = (g: typeof namespaces, blank: string): [string, string][] => [
    ["", blank],
    ...(g.data?.items ?? [])
      .filter((i) => i.key !== "")
      .map((i): [string, string] => [i.key, `${i.key} (${count(i.count)})`]),
  ];
  return (
    <section className="page" aria-labelledby="findings-title">
      <header className="page-head">
        <h1 id="findings-title">Findings</h1>
      </header>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <Select
          label="Severity"
          value={f.severity}
          options={[["", "any"], ...SEVERITIES.map((s): [string, string] => [s, s])]}
          onChange={(v) => go(f, { severity: v })}
        />
        <Select
          label="Namespace"
          value={f.namespace}
          options={keys(namespaces, "any")}
          onChange={(v) => go(f, { namespace: v })}
        />
        <Select
          label="Rule"
          value={f.rule}
          options={keys(rules, "any")}
          onChange={(v) => go(f, { rule: v })}
        />
        <Select
          label="Status"
          value={f.status}
          options={[
            ["open", "open"],
            ["fixed", "fixed"],
            ["all", "all"],
          ]}
          onChange={(v) => go(f, { status: v })}
        />
        <Select
          label="Sort by"
          value={f.sort}
          options={SORTS.map(([v, t]): [string, string] => [v, t])}
          onChange={(v) => go(f, { sort: v })}
        />
        <Select
          label="Order"
          value={f.order}
          options={[
            ["", "default"],
            ["asc", "ascending"],
            ["desc", "descending"],
          ]}
          onChange={(v) => go(f, { order: v })}
        />
        <Select
          label="Group by"
          value={f.group}
          options={[
            ["", "nothing"],
            ["namespace", "namespace"],
            ["rule", "rule"],
          ]}
          onChange={(v) => go(f, { group: v })}
        />
      </form>
      {f.group ? <Groups f={f} /> : <List f={f} />}
    </section>
  );
}
