// Package contracttest checks a service against its contracts in tests:
// its api/asyncapi.yaml against its event catalogue and topic
// (CheckAsyncAPI), the events it published against the JSON Schemas of
// api/events (ValidateEvents, with Published reading them once its outbox
// is empty), its route table against api/openapi.yaml (CheckRoutes), and
// each request and response of a test against api/openapi.yaml (Contract,
// whose Reply a test reads with Decode). Gateway signs the internal tokens
// and serves their keys; Start runs the service as in production until the
// test ends.
package contracttest
