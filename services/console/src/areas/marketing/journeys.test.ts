import { describe, expect, it } from "vitest";
import { addStep, journeyBody, layout, newStepId, removeStep, settingsOf, stepProblems, type JourneyStep } from "./journeys";

/** welcome is a send, a wait, a branch on the send's open with a reminder on no, then an exit on both paths. */
const welcome: JourneyStep[] = [
  { id: "mail", type: "send", templateId: "t1", channel: "email", next: "wait" },
  { id: "wait", type: "wait", duration: "P2D", next: "opened" },
  { id: "opened", type: "branch", condition: { opened: "mail" }, yes: "done", no: "remind" },
  { id: "remind", type: "send", templateId: "t2", channel: "email", next: "done" },
  { id: "done", type: "exit" },
];

const place = (steps: JourneyStep[]) => Object.fromEntries(layout(steps).nodes.map((n) => [n.id, [n.layer, n.column]]));

describe("journey layout", () => {
  it("puts every step below the steps leading to it, yes left of no", () => {
    expect(place(welcome)).toEqual({ mail: [0, 0], wait: [1, 0], opened: [2, 0], remind: [3, 0], done: [4, 0] });
    const l = layout(welcome);
    expect(l.layers).toBe(5);
    expect(l.width).toBe(1);
  });
  it("sets a branch's two paths side by side", () => {
    const steps: JourneyStep[] = [
      { id: "b", type: "branch", condition: { filter: {} }, yes: "y", no: "n" },
      { id: "n", type: "exit" },
      { id: "y", type: "wait", duration: "P1D", next: "" },
    ];
    expect(place(steps)).toEqual({ b: [0, 0], y: [1, 0], n: [1, 1] });
    expect(layout(steps).width).toBe(2);
  });
  it("puts unreachable steps below the rest and survives a cycle", () => {
    const steps: JourneyStep[] = [
      { id: "a", type: "wait", duration: "P1D", next: "b" },
      { id: "b", type: "wait", duration: "P1D", next: "a" },
      { id: "lost", type: "exit" },
    ];
    const l = layout(steps);
    const lost = l.nodes.find((n) => n.id === "lost")!;
    expect(lost.layer).toBe(l.layers - 1);
    expect(l.nodes.filter((n) => n.id !== "lost").every((n) => n.layer < lost.layer)).toBe(true);
  });
  it("lays out nothing for no steps", () => {
    expect(layout([])).toEqual({ nodes: [], layers: 0, width: 1 });
  });
});

describe("journey graph edits", () => {
  it("names a new step with an id no step has", () => {
    expect(newStepId(welcome)).toBe("s6");
    expect(newStepId([{ id: "s2", type: "exit" }, { id: "x", type: "exit" }])).toBe("s3");
  });
  it("adds a step after a step, taking its place on the arrow", () => {
    const { steps, id } = addStep(welcome, "mail", "next", "update");
    expect(steps.find((s) => s.id === "mail")!.next).toBe(id);
    expect(steps.find((s) => s.id === id)).toMatchObject({ type: "update", next: "wait" });
    expect(steps.map((s) => s.id)).toEqual(["mail", id, "wait", "opened", "remind", "done"]);
  });
  it("adds a step on a branch's no, and a branch takes the old target as its yes", () => {
    const { steps, id } = addStep(welcome, "opened", "no", "branch");
    expect(steps.find((s) => s.id === "opened")!.no).toBe(id);
    expect(steps.find((s) => s.id === id)).toMatchObject({ type: "branch", yes: "remind", no: "" });
  });
  it("adding an exit drops what only followed it", () => {
    const { steps, id } = addStep(welcome, "opened", "no", "exit");
    expect(steps.map((s) => s.id)).toEqual(["mail", "wait", "opened", id, "done"]);
  });
  it("removes a step, joining its arrows", () => {
    const steps = removeStep(welcome, "wait");
    expect(steps.find((s) => s.id === "mail")!.next).toBe("opened");
    expect(steps).toHaveLength(4);
  });
  it("removes a branch with what only its no led to, and clears a condition naming a removed send", () => {
    const noBranch = removeStep(welcome, "opened");
    expect(noBranch.map((s) => s.id)).toEqual(["mail", "wait", "done"]);
    expect(noBranch[1].next).toBe("done");
    const noMail = removeStep(welcome, "mail");
    expect(noMail[0].id).toBe("wait");
    expect(noMail.find((s) => s.id === "opened")!.condition).toEqual({});
  });
  it("keeps the last step", () => {
    const one: JourneyStep[] = [{ id: "e", type: "exit" }];
    expect(removeStep(one, "e")).toBe(one);
  });
  it("places a problem's field at the step it names", () => {
    const { byStep, rest } = stepProblems(welcome, [
      { field: "steps/2/yes", reason: "must be the id of a step of this journey" },
      { field: "steps/0/templateId", reason: "must be a template's id" },
      { field: "steps/9/next", reason: "x" },
      { field: "trigger/segmentId", reason: "must be a segment's or a list's id" },
    ]);
    expect(byStep).toEqual({ opened: ["yes: must be the id of a step of this journey"], mail: ["templateId: must be a template's id"] });
    expect(rest.map((f) => f.field)).toEqual(["steps/9/next", "trigger/segmentId"]);
  });
});

describe("journey body", () => {
  it("keeps only the trigger's own fields, re-entry's after for mode after, and no goal as null", () => {
    const v = { ...settingsOf(), name: " Welcome ", trigger: { type: "event" as const, event: "message.clicked", segmentId: "old", campaignId: "" } };
    expect(journeyBody(v, welcome, undefined)).toEqual({
      name: "Welcome",
      campaignId: null,
      trigger: { type: "event", event: "message.clicked" },
      steps: welcome,
      reEntry: { mode: "never" },
      goal: null,
    });
  });
  it("makes the goal from a segment or the filter, and re-entry after its duration", () => {
    const base = { ...settingsOf(), name: "x", reEntry: { mode: "after" as const, after: " P30D " } };
    expect(journeyBody({ ...base, goalKind: "segment", goalSegmentId: "g" }, welcome, undefined)).toMatchObject({ goal: { segmentId: "g" }, reEntry: { mode: "after", after: "P30D" } });
    const f = { field: "city", op: "eq", value: "Shanghai" };
    expect(journeyBody({ ...base, goalKind: "filter" }, welcome, f).goal).toEqual({ filter: f });
    expect(journeyBody({ ...base, goalKind: "filter" }, welcome, undefined).goal).toEqual({ filter: {} });
  });
  it("reads a journey's goal kind back", () => {
    const j = { id: "j", name: "n", status: "draft" as const, trigger: { type: "segment_entered" as const, segmentId: "s" }, steps: welcome, reEntry: { mode: "never" as const }, createdBy: "u", createdAt: "", updatedAt: "", version: 1 };
    expect(settingsOf({ ...j, goal: { segmentId: "g" } })).toMatchObject({ goalKind: "segment", goalSegmentId: "g" });
    expect(settingsOf({ ...j, goal: { filter: {} } }).goalKind).toBe("filter");
    expect(settingsOf(j).goalKind).toBe("none");
  });
});
