// Package resource is what the transports of the services' bounded
// contexts share: the responses of a resource (status, ETag, Location and
// the fields an update changed), the encoder and route-table helper that
// write them, and the decoders of ids, bodies and merge patches.
//
// A context's transport.go typically reads:
//
//	return resource.Routes(
//		starter.Route{Name: "getThing", Method: "GET", Path: "/v1/things/{id}",
//			Permission: PermRead, Endpoint: e.GetThing, Decode: resource.DecodeID},
//	)
//
// and its endpoints answer resource.OK, resource.Created, resource.Updated
// or resource.NoContent.
package resource
