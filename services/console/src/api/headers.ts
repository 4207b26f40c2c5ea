/** versionTag is a record's version as the services write their ETags and read If-Match: "3", quoted. */
export function versionTag(version: number): string {
  return `"${version}"`;
}

/** ifMatch is the If-Match header of a write to a record at version. */
export function ifMatch(version: number): { "If-Match": string } {
  return { "If-Match": versionTag(version) };
}

/** mergePatch is the Content-Type of a PATCH, which every service reads as a JSON merge patch (RFC 7396). */
export const mergePatch = { "Content-Type": "application/merge-patch+json" };
