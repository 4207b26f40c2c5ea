// Package notify is the gateway's notifications (issue 16, point 7): what
// happens in the services that concerns one person — a task reminder due, a
// lead or record assigned to them, an approval waiting for them, their quote
// approved or rejected, a mention in a note — reaches that person in the
// console at once and, by their preferences, by email.
//
// It lives in the gateway rather than in a service of its own: a
// notification belongs to one user, is read with that user's token, is
// pushed over a long-lived connection the gateway already terminates, and
// needs the user's locale and email address, which the gateway owns.
//
// The pieces, each in its own file:
//
//   - kinds.go: the registry of kinds (their default preferences and email
//     texts); a later service adds its own with Register.
//   - rules.go, rules_*.go: which event of which topic makes which
//     notification for whom (On).
//   - consumer.go: the events.Handler of the consumer group
//     ConsumerGroup: it stores the notifications in the event's
//     transaction (inbox included, so a redelivery does nothing), signals
//     them with NOTIFY, which PostgreSQL delivers only at commit, and
//     queues their emails in the same transaction.
//   - hub.go: every gateway replica LISTENs on Channel and hands each
//     notification to the open streams of its user.
//   - stream.go: GET /v1/notifications/stream, Server-Sent Events.
//   - handler.go: the rest of the HTTP API.
//   - sender.go, store_email.go: the durable queue of emails
//     (notification_emails): every replica's Sender claims due emails with
//     FOR UPDATE SKIP LOCKED, retries a refused one with backoff and marks
//     it failed after the last attempt.
//   - mailer.go: one email over SMTP in the user's language.
//   - store.go: notifications and notification_preferences, under
//     row-level security (migrations of their own, Migrations).
package notify
