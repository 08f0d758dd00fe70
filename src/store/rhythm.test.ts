import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachBackend } from "../../test/support/store-matrix.js";
import { addRhythmSignoff, listRhythmSignoffs } from "./rhythm.js";

forEachBackend("rhythm sign-offs", (b) => {
  test("a sign-off round-trips and filters by cadence and period", async () => {
    const store = await b.open();
    const at = Date.UTC(2026, 10, 25, 9, 30);
    await addRhythmSignoff(store.raw, {
      cadence: "daily",
      item: "overnight-alerts",
      period: "2026-11-25",
      who: "ana",
      at,
      note: "quiet night",
    });
    await addRhythmSignoff(store.raw, {
      cadence: "daily",
      item: "overnight-alerts",
      period: "2026-11-24",
      who: "bo",
      at: at - 86_400_000,
    });
    await addRhythmSignoff(store.raw, {
      cadence: "monthly",
      item: "dr-testing",
      period: "2026-11",
      who: "cy",
      at,
    });
    const today = await listRhythmSignoffs(store.raw, { cadence: "daily", period: "2026-11-25" });
    assert.equal(today.length, 1);
    assert.deepEqual(
      { ...today[0], id: undefined },
      {
        id: undefined,
        cadence: "daily",
        item: "overnight-alerts",
        period: "2026-11-25",
        who: "ana",
        at,
        note: "quiet night",
      },
    );
    const daily = await listRhythmSignoffs(store.raw, { cadence: "daily" });
    assert.deepEqual(
      daily.map((s) => s.who),
      ["bo", "ana"],
    );
    assert.equal(daily[0]!.note, undefined);
  });
});
