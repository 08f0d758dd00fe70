import { test } from "node:test";
import assert from "node:assert/strict";
import { commandsFor } from "./main.js";

test("commandsFor: only the commands named among the arguments are imported", () => {
  assert.deepEqual(commandsFor(["report", "--snapshot", "x.ndjson.gz"]), ["report"]);
  assert.deepEqual(commandsFor(["--context", "prod", "cost", "rightsize"]), ["cost"]);
  // A command name that is an option's value adds a command; the real one is still there.
  assert.deepEqual(commandsFor(["-n", "serve", "scan"]), ["scan", "serve"]);
});

test("commandsFor: no command name (help, an unknown command) registers all of them", () => {
  const all = commandsFor([]);
  assert.ok(all.length >= 10 && all.includes("report") && all.includes("serve") && all.includes("rhythm"));
  assert.deepEqual(commandsFor(["--help"]), all);
  assert.deepEqual(commandsFor(["nonsense"]), all);
  assert.deepEqual(commandsFor(["constructor", "__proto__"]), all);
});
