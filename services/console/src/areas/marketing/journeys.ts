import type { components } from "../../api/schema";

/** Journey is a journey as the API returns it. */
export type Journey = components["schemas"]["Journey"];
/** JourneyInput is the body that creates a journey. */
export type JourneyInput = components["schemas"]["JourneyInput"];
/** JourneyStep is one step of a journey's graph. */
export type JourneyStep = components["schemas"]["JourneyStep"];
/** StepType is a step's type. */
export type StepType = JourneyStep["type"];
/** JourneyEnrolment is a contact's pass through a journey. */
export type JourneyEnrolment = components["schemas"]["JourneyEnrolment"];

/** stepTypes are the types a step may have, in the add menu's order. */
export const stepTypes: StepType[] = ["send", "wait", "branch", "update", "exit"];

/** triggerEvents are the events an event trigger may name (services/marketing/journeys/validate.go). */
export const triggerEvents = [
  "message.sent", "message.delivered", "message.opened", "message.clicked", "message.bounced", "message.complained",
  "contact.unsubscribed", "form.submitted", "segment.entered", "segment.left", "campaign.responded",
  "campaign_member.added", "campaign_member.status_changed",
];

/** updateFields are the contact fields an update step may set, beside customFields.<key>. */
export const updateFields = ["firstName", "lastName", "jobTitle", "city", "country", "lifecycleStage"];

/** Edge is an arrow of the graph: from a step to another (to "" ends the enrolment) along next, yes or no. */
export interface Edge {
  from: string;
  to: string;
  kind: "next" | "yes" | "no";
}

/** edges are a step's arrows: a branch's yes and no, an exit none, any other step's next. */
export function edges(s: JourneyStep): Edge[] {
  if (s.type === "branch") return [{ from: s.id, to: s.yes ?? "", kind: "yes" }, { from: s.id, to: s.no ?? "", kind: "no" }];
  if (s.type === "exit") return [];
  return [{ from: s.id, to: s.next ?? "", kind: "next" }];
}

/** Placed is a step's place on the canvas: its layer (row, top first) and its column in that layer. */
export interface Placed {
  id: string;
  layer: number;
  column: number;
}

/** Layout is the canvas's arrangement: each step's place and the widest layer's width. */
export interface Layout {
  nodes: Placed[];
  layers: number;
  width: number;
}

/**
 * layout places the steps top-down in layers: a step's layer is the
 * longest path to it from the first step (so every arrow points down), and
 * within a layer the steps keep the order in which a walk from the first
 * step (yes before no) meets them, so a branch's yes stands left of its
 * no. Steps the first cannot reach go in layers below the rest, in their
 * order; an arrow back up (a cycle, refused by the API) leaves the layers
 * as they were when it was met.
 */
export function layout(steps: JourneyStep[]): Layout {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const layer = new Map<string, number>();
  const order: string[] = [];
  const seen = new Set<string>();
  const walk = (id: string) => {
    if (seen.has(id) || !byId.has(id)) return;
    seen.add(id);
    order.push(id);
    for (const e of edges(byId.get(id)!)) walk(e.to);
  };
  if (steps.length > 0) walk(steps[0].id);
  const reached = new Set(order);
  for (const s of steps) if (!reached.has(s.id)) order.push(s.id);
  // Longest path by relaxation in walk order, at most once per step and edge (cycle-safe).
  for (const id of order) if (!layer.has(id)) layer.set(id, reached.has(id) ? 0 : -1);
  for (let round = 0; round < steps.length; round++) {
    let changed = false;
    for (const id of order) {
      const l = layer.get(id)!;
      if (l < 0) continue;
      for (const e of edges(byId.get(id)!)) {
        if (!reached.has(e.to) || layer.get(e.to)! >= l + 1) continue;
        layer.set(e.to, l + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  let depth = Math.max(-1, ...[...layer.values()]) + 1;
  for (const id of order) if (layer.get(id)! < 0) layer.set(id, depth++);
  const columns = new Map<number, number>();
  const nodes = order.map((id) => {
    const l = layer.get(id)!;
    const column = columns.get(l) ?? 0;
    columns.set(l, column + 1);
    return { id, layer: l, column };
  });
  return { nodes, layers: depth, width: Math.max(1, ...columns.values()) };
}

/** newStepId is an id no step has: s1, s2 … */
export function newStepId(steps: JourneyStep[]): string {
  const ids = new Set(steps.map((s) => s.id));
  let n = steps.length + 1;
  while (ids.has(`s${n}`)) n++;
  return `s${n}`;
}

/** blankStep is a new step of type with id, going on to next (a branch's yes). */
function blankStep(type: StepType, id: string, next: string): JourneyStep {
  switch (type) {
    case "send":
      return { id, type, next, channel: "email" };
    case "wait":
      return { id, type, next, duration: "P1D" };
    case "branch":
      return { id, type, yes: next, no: "" };
    case "update":
      return { id, type, next, update: { addTags: [] } };
    default:
      return { id, type };
  }
}

/**
 * addStep puts a new step of type on the arrow kind leaving the step from:
 * the new step goes where that arrow went (a branch's yes), and the arrow
 * now points at it. An exit ends the path: what followed is left to
 * removeUnreachable. It returns the steps and the new step's id.
 */
export function addStep(steps: JourneyStep[], from: string, kind: Edge["kind"], type: StepType): { steps: JourneyStep[]; id: string } {
  const id = newStepId(steps);
  const at = steps.findIndex((s) => s.id === from);
  if (at < 0) return { steps, id: "" };
  const target = (steps[at][kind] as string | undefined) ?? "";
  const made = blankStep(type, id, target);
  const out = steps.map((s) => (s.id === from ? { ...s, [kind]: id } : s));
  out.splice(at + 1, 0, made);
  return { steps: removeUnreachable(out), id };
}

/**
 * removeStep deletes the step id: every arrow to it goes where it went (a
 * branch: its yes), and the steps it alone led to are dropped. The first
 * step gives its place to its successor; the last step standing cannot go
 * (the steps come back unchanged).
 */
export function removeStep(steps: JourneyStep[], id: string): JourneyStep[] {
  const gone = steps.find((s) => s.id === id);
  if (!gone) return steps;
  const after = gone.type === "branch" ? (gone.yes ?? "") : gone.type === "exit" ? "" : (gone.next ?? "");
  let out = steps.filter((s) => s.id !== id);
  if (steps[0].id === id) {
    const i = out.findIndex((s) => s.id === after);
    if (i < 0) return steps;
    out = [out[i], ...out.filter((_, j) => j !== i)];
  }
  out = out.map((s) => {
    const c = { ...s };
    for (const k of ["next", "yes", "no"] as const) if (c[k] === id) c[k] = after;
    if (c.condition?.opened === id || c.condition?.clicked === id) c.condition = {};
    return c;
  });
  return removeUnreachable(out);
}

/** removeUnreachable drops the steps the first step cannot reach. */
function removeUnreachable(steps: JourneyStep[]): JourneyStep[] {
  if (steps.length === 0) return steps;
  const byId = new Map(steps.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const stack = [steps[0].id];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id) || !byId.has(id)) continue;
    seen.add(id);
    for (const e of edges(byId.get(id)!)) stack.push(e.to);
  }
  return steps.filter((s) => seen.has(s.id));
}

/** replaceStep puts s in the place of the step with its id. */
export function replaceStep(steps: JourneyStep[], s: JourneyStep): JourneyStep[] {
  return steps.map((x) => (x.id === s.id ? s : x));
}

/**
 * stepProblems sorts a problem's fields by step: "steps/2/next" is the
 * third step's (by id, as the steps were sent) with its field "next";
 * what names no step is left in rest.
 */
export function stepProblems(steps: JourneyStep[], fields: { field: string; reason: string }[]): { byStep: Record<string, string[]>; rest: { field: string; reason: string }[] } {
  const byStep: Record<string, string[]> = {};
  const rest: { field: string; reason: string }[] = [];
  for (const f of fields) {
    const m = /^steps\/(\d+)(?:\/(.*))?$/.exec(f.field);
    const step = m ? steps[Number(m[1])] : undefined;
    if (!step) {
      rest.push(f);
      continue;
    }
    (byStep[step.id] ??= []).push(m![2] ? `${m![2]}: ${f.reason}` : f.reason);
  }
  return { byStep, rest };
}

/** JourneySettings are the journey form's fields beside the steps. */
export interface JourneySettings {
  name: string;
  campaignId?: string;
  trigger: { type: Journey["trigger"]["type"]; segmentId?: string; formId?: string; event?: string; campaignId?: string };
  reEntry: { mode: Journey["reEntry"]["mode"]; after?: string };
  goalKind: "none" | "segment" | "filter";
  goalSegmentId?: string;
}

/** JourneyBody is what journeyBody makes: a JourneyInput whose campaign and goal are null when none (for a merge patch). */
export type JourneyBody = Omit<JourneyInput, "campaignId" | "goal"> & { campaignId: string | null; goal: Journey["goal"] | null };

/** triggerFields are the fields each trigger type keeps. */
const triggerFields = { segment_entered: ["segmentId"], form_submitted: ["formId"], event: ["event", "campaignId"] } as const;

/**
 * settingsOf are a journey's settings as the form shows them; a new
 * journey starts on a segment entered, never re-entered, with no goal.
 */
export function settingsOf(j?: Journey): JourneySettings {
  if (!j) return { name: "", trigger: { type: "segment_entered" }, reEntry: { mode: "never" }, goalKind: "none" };
  return {
    name: j.name,
    campaignId: j.campaignId,
    trigger: { ...j.trigger },
    reEntry: { ...j.reEntry },
    goalKind: j.goal?.segmentId ? "segment" : j.goal?.filter ? "filter" : "none",
    goalSegmentId: j.goal?.segmentId,
  };
}

/**
 * journeyBody is the journey the form, the canvas and the goal's filter
 * make: the trigger keeps only its type's fields, re-entry its after only
 * for mode after, and a goal of kind filter with no condition is an empty
 * filter (which the API refuses, naming goal).
 */
export function journeyBody(v: JourneySettings, steps: JourneyStep[], goalFilter: object | undefined): JourneyBody {
  const trigger: JourneySettings["trigger"] = { type: v.trigger.type };
  for (const f of triggerFields[v.trigger.type] ?? []) {
    const x = v.trigger[f]?.trim();
    if (x) trigger[f] = x;
  }
  const goal = v.goalKind === "segment" ? { segmentId: v.goalSegmentId ?? "" } : v.goalKind === "filter" ? { filter: (goalFilter ?? {}) as Record<string, never> } : null;
  return {
    name: v.name.trim(),
    campaignId: v.campaignId || null,
    trigger,
    steps,
    reEntry: v.reEntry.mode === "after" ? { mode: "after", after: v.reEntry.after?.trim() ?? "" } : { mode: v.reEntry.mode },
    goal,
  };
}
