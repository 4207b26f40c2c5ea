// Package contracttest checks a service against its contracts in tests:
// its api/asyncapi.yaml against its event catalogue and topic
// (CheckAsyncAPI), the events it published against the JSON Schemas of
// api/events (ValidateEvents), its route table against api/openapi.yaml
// (CheckRoutes), and each request and response of a test against
// api/openapi.yaml (Contract). Published reads the events a service has
// published once its outbox is empty.
package contracttest
