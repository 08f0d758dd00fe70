import { test } from "node:test";
import assert from "node:assert/strict";
import { fromLabelSelector, fromMapSelector, matches, parseSelectorString } from "./selector.js";

const web = { app: "web", tier: "frontend", env: "prod" };

test("map selectors: all pairs must match; empty selects nothing", () => {
  assert.equal(matches(fromMapSelector({ app: "web" }), web), true);
  assert.equal(matches(fromMapSelector({ app: "web", tier: "backend" }), web), false);
  assert.equal(matches(fromMapSelector({}), web), false);
  assert.equal(matches(fromMapSelector(undefined), web), false);
});

test("LabelSelector: empty matches all, absent matches none, expressions", () => {
  assert.equal(matches(fromLabelSelector({}), web), true);
  assert.equal(matches(fromLabelSelector(undefined), web), false);
  const sel = fromLabelSelector({
    matchLabels: { app: "web" },
    matchExpressions: [
      { key: "tier", operator: "In", values: ["frontend", "edge"] },
      { key: "env", operator: "NotIn", values: ["dev"] },
      { key: "app", operator: "Exists" },
      { key: "canary", operator: "DoesNotExist" },
    ],
  });
  assert.equal(matches(sel, web), true);
  assert.equal(matches(sel, { ...web, canary: "true" }), false);
  assert.equal(matches(sel, { ...web, tier: "db" }), false);
  assert.equal(sel.text, "app=web,tier in (frontend,edge),env notin (dev),app,!canary");
});

test("kubectl -l syntax parses every operator", () => {
  const sel = parseSelectorString("app=web,env!=dev,tier in (frontend, edge),!canary,team");
  assert.equal(matches(sel, { ...web, team: "a" }), true);
  assert.equal(matches(sel, web), false); // no team label
  assert.equal(matches(parseSelectorString("app==web"), web), true);
});

test("a bad -l names the part it cannot parse", () => {
  assert.throws(() => parseSelectorString("app=web,=oops"), /cannot parse "=oops"/);
  assert.throws(() => parseSelectorString("a b c"), /invalid label selector/);
});
