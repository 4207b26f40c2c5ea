// Package console serves the web console (services/console, built by
// scripts/console.sh into dist/ and embedded into the gateway binary) at /:
// its hashed assets with a year's caching, and its index.html for every
// other GET path that is not an API path, so the browser's own routes
// (/contacts/…) load the app. Every answer carries the console's
// Content-Security-Policy: scripts from this origin only, no inline script.
package console
