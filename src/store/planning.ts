/**
 * On-call schedules (the rotation config as JSON, owned by the policy), overrides, and
 * maintenance windows (label matchers as JSON).
 */
import type { StoreDb } from "./db.js";
import { StoreValidationError, newId } from "./rows.js";

export interface StoredSchedule {
  id: string;
  name: string;
  config: unknown;
  updatedAt: number;
}

/** Creates or replaces the schedule called `name`. */
export async function putSchedule(
  store: StoreDb,
  name: string,
  config: unknown,
  now = Date.now(),
): Promise<StoredSchedule> {
  if (!name) throw new StoreValidationError("name", "must be a non-empty string");
  const id = newId("sch");
  const row = await store.db
    .insertInto("oncall_schedules")
    .values({ id, name, config: JSON.stringify(config), updated_at: now })
    .onConflict((oc) => oc.column("name").doUpdateSet({ config: JSON.stringify(config), updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return { id: row.id, name: row.name, config, updatedAt: row.updated_at };
}

export async function listSchedules(store: StoreDb): Promise<StoredSchedule[]> {
  const rows = await store.db.selectFrom("oncall_schedules").selectAll().orderBy("name").execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    config: JSON.parse(r.config) as unknown,
    updatedAt: r.updated_at,
  }));
}

export interface OncallOverride {
  id: string;
  scheduleId: string;
  person: string;
  startsAt: number;
  endsAt: number;
  createdBy?: string;
}

export async function addOverride(
  store: StoreDb,
  o: Omit<OncallOverride, "id">,
  now = Date.now(),
): Promise<OncallOverride> {
  if (!(o.endsAt > o.startsAt)) throw new StoreValidationError("endsAt", "must be after startsAt");
  const id = newId("ovr");
  await store.db
    .insertInto("oncall_overrides")
    .values({
      id,
      schedule_id: o.scheduleId,
      person: o.person,
      starts_at: o.startsAt,
      ends_at: o.endsAt,
      created_by: o.createdBy ?? null,
      created_at: now,
    })
    .execute();
  return { id, ...o };
}

/** Overrides of a schedule that overlap [from, to). */
export async function listOverrides(
  store: StoreDb,
  scheduleId: string,
  from: number,
  to: number,
): Promise<OncallOverride[]> {
  const rows = await store.db
    .selectFrom("oncall_overrides")
    .selectAll()
    .where("schedule_id", "=", scheduleId)
    .where("starts_at", "<", to)
    .where("ends_at", ">", from)
    .orderBy("starts_at")
    .execute();
  return rows.map((r) => {
    const o: OncallOverride = {
      id: r.id,
      scheduleId: r.schedule_id,
      person: r.person,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
    };
    if (r.created_by !== null) o.createdBy = r.created_by;
    return o;
  });
}

export interface MaintenanceWindow {
  id: string;
  name: string;
  /** Label matchers, as the policy defines them. */
  matchers: unknown;
  startsAt: number;
  endsAt: number;
  createdBy?: string;
  /** The Alertmanager silence created for it. */
  silenceId?: string;
}

export async function addMaintenanceWindow(
  store: StoreDb,
  w: Omit<MaintenanceWindow, "id">,
  now = Date.now(),
): Promise<MaintenanceWindow> {
  if (!(w.endsAt > w.startsAt)) throw new StoreValidationError("endsAt", "must be after startsAt");
  const id = newId("mw");
  await store.db
    .insertInto("maintenance_windows")
    .values({
      id,
      name: w.name,
      matchers: JSON.stringify(w.matchers),
      starts_at: w.startsAt,
      ends_at: w.endsAt,
      created_by: w.createdBy ?? null,
      silence_id: w.silenceId ?? null,
      created_at: now,
    })
    .execute();
  return { id, ...w };
}

/** Windows active at `at` (or, with `until`, overlapping [at, until)). */
export async function listMaintenanceWindows(
  store: StoreDb,
  at: number,
  until = at + 1,
): Promise<MaintenanceWindow[]> {
  const rows = await store.db
    .selectFrom("maintenance_windows")
    .selectAll()
    .where("starts_at", "<", until)
    .where("ends_at", ">", at)
    .orderBy("starts_at")
    .execute();
  return rows.map((r) => {
    const w: MaintenanceWindow = {
      id: r.id,
      name: r.name,
      matchers: JSON.parse(r.matchers) as unknown,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
    };
    if (r.created_by !== null) w.createdBy = r.created_by;
    if (r.silence_id !== null) w.silenceId = r.silence_id;
    return w;
  });
}
