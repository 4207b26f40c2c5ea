// Package delivery sends the webhooks' deliveries (webhook_deliveries, the
// tables of package webhooks' migrations) to their subscriptions'
// endpoints: a Dispatcher on every gateway replica claims due deliveries
// with FOR UPDATE SKIP LOCKED and a lease (locked_until), POSTs each one
// signed per the Standard Webhooks specification (Sign) through an HTTP
// client whose dialer refuses private addresses (Guard), logs every attempt
// in webhook_attempts, and retries, throttles or disables per the answer.
// Deliveries of one subscription and subject go out strictly in seq order.
//
// The package imports nothing of package webhooks: the API validates URLs
// with CheckURL and makes secrets with NewSecret; the fan-out writes the
// deliveries and signals Channel.
package delivery
