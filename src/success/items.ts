/**
 * The success criteria only a person can judge, as sign-off items. Their ids share the rhythm
 * sign-off store (table rhythm_signoffs, cadence "success"): `day2 rhythm signoff
 * success.team-confidence --by alice` records one.
 */

/** The cadence column the success sign-offs are stored under. */
export const SUCCESS_CADENCE = "success";

export const SUCCESS_SIGNOFF_ITEMS = [
  {
    id: "success.team-confidence",
    title: "The team is confident in operations",
  },
  {
    id: "success.developer-self-service",
    title: "Developers can self-serve",
  },
  {
    id: "success.documentation",
    title: "Documentation is kept current",
  },
] as const;

export type SuccessItemId = (typeof SUCCESS_SIGNOFF_ITEMS)[number]["id"];

export function isSuccessItemId(id: string): id is SuccessItemId {
  return SUCCESS_SIGNOFF_ITEMS.some((i) => i.id === id);
}

/** Accepts "success.documentation" and the short "documentation". */
export function successItemOf(text: string): SuccessItemId | undefined {
  const id = text.startsWith(`${SUCCESS_CADENCE}.`) ? text : `${SUCCESS_CADENCE}.${text}`;
  return isSuccessItemId(id) ? id : undefined;
}
