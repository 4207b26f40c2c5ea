// Package customfields is the custom fields of a service's records, as
// every service with them shares it: the definitions a tenant gives an
// entity (Field: key, label, type, options, required), the check of a
// record's values against them (Check, with errors naming
// customFields/<key>), the values a read shows (Visible), the JSON of a
// record's values (Values, numbers kept exact for decimals), and the SQL of
// the definitions (Store) over a table the service names in its own
// database.
//
// A definition's key, entity and type are immutable; its label can be
// renamed and its options extended without touching any record. Deleting a
// definition hides its values from reads; they stay in the rows and show
// again if a definition with the same key and a type they are valid for is
// created.
package customfields
