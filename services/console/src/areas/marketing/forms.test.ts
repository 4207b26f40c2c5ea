import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/problem";
import { builderProblem, formInput, formPatch, formValues, type FormValues } from "./forms";

const v: FormValues = {
  name: " Webinar ",
  fields: [
    { key: "email", label: "Work email", type: "email", required: true, mapsTo: "email" },
    { key: "size", label: "Team size", type: "select", options: "1-10\n\n11-50 \n", mapsTo: "custom:size" },
  ],
  consentText: "Email me",
  ending: "thankYou",
  thankYou: "Thanks!",
  status: "active",
};

describe("formInput", () => {
  it("writes the fields, options one a line, the consent box and the thank-you", () => {
    expect(formInput(v)).toEqual({
      name: "Webinar",
      fields: [
        { key: "email", label: "Work email", type: "email", required: true, mapsTo: "email" },
        { key: "size", label: "Team size", type: "select", required: false, options: ["1-10", "11-50"], mapsTo: "custom:size" },
      ],
      consent: { text: "Email me", channel: "email", required: false },
      thankYou: { message: "Thanks!" },
      doubleOptIn: false,
      status: "active",
    });
  });
  it("sends a redirect instead of the thank-you, never both", () => {
    const b = formInput({ ...v, ending: "redirect", redirectUrl: "https://example.com/thanks" });
    expect(b.redirectUrl).toBe("https://example.com/thanks");
    expect(b.thankYou).toBeUndefined();
  });
});

describe("formPatch", () => {
  it("removes what the form no longer has", () => {
    expect(formPatch({ ...v, consentText: "", thankYou: "" })).toMatchObject({ consent: null, thankYou: null, redirectUrl: null, campaignId: null });
  });
});

describe("formValues", () => {
  it("reads a stored form back into the builder", () => {
    const back = formValues({ id: "f", name: "Webinar", language: "en", fields: formInput(v).fields, doubleOptIn: false, status: "active", rejections: {}, createdBy: "u", createdAt: "", updatedAt: "", version: 1, redirectUrl: "https://x.example" });
    expect(back.fields[1].options).toBe("1-10\n11-50");
    expect(back.ending).toBe("redirect");
  });
});

describe("builderProblem", () => {
  it("names the builder's inputs for the form's nested parts", () => {
    const err = new ApiError(400, { title: "bad", errors: [{ field: "consent/text", reason: "required" }, { field: "fields/0/mapsTo", reason: "unknown" }] });
    const out = builderProblem(err) as ApiError;
    expect(out.fields.map((f) => f.field)).toEqual(["consentText", "fields/0/mapsTo"]);
    expect(out.status).toBe(400);
    const other = new Error("x");
    expect(builderProblem(other)).toBe(other);
  });
});
