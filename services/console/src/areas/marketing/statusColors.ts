import type { Campaign, Send } from "./api";
import type { Journey, JourneyEnrolment } from "./journeys";

/**
 * statusColors are the Tag colours of a campaign's statuses: dark enough
 * for white text at 4.5:1 (Ant Design's light presets fall short of it).
 */
export const statusColors: Record<Campaign["status"], string> = {
  planned: "#0958d9",
  active: "#237804",
  paused: "#874d00",
  completed: "#595959",
  canceled: "#a8071a",
};

/** sendStatusColors are the Tag colours of a send's statuses, readable as statusColors are. */
export const sendStatusColors: Record<Send["status"], string> = {
  scheduled: "#1d39c4",
  queued: "#0958d9",
  sending: "#874d00",
  completed: "#237804",
  canceled: "#595959",
};

/** journeyStatusColors are the Tag colours of a journey's statuses, readable as statusColors are. */
export const journeyStatusColors: Record<Journey["status"], string> = {
  draft: "#595959",
  active: "#237804",
  paused: "#874d00",
  archived: "#434343",
};

/** enrolmentStatusColors are the Tag colours of a journey enrolment's statuses, readable as statusColors are. */
export const enrolmentStatusColors: Record<JourneyEnrolment["status"], string> = {
  active: "#0958d9",
  completed: "#595959",
  exited: "#874d00",
  converted: "#237804",
};
