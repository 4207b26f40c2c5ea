/**
 * safeReturn keeps a ?return= path only when it is a path of this site
 * ("/contacts/1"), never another origin ("//evil.example", "https://…"),
 * so sign-in cannot be turned into an open redirect.
 */
export function safeReturn(p: string | null): string {
  if (!p || !p.startsWith("/") || p.startsWith("//") || p.includes("\\") || p.startsWith("/signin")) return "/";
  return p;
}
