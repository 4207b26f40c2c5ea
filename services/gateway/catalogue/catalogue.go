package catalogue

import (
	"crypto/sha256"
	_ "embed" // the merged document
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// embedded is the merged document, written by cmd/asyncapi-merge.
//
//go:embed asyncapi.json
var embedded []byte

// Catalogue is the parsed event catalogue. It is read-only and safe for
// concurrent use.
type Catalogue struct {
	doc      []byte
	etag     string
	root     map[string]any
	channels []Channel
	messages map[string]*Message
}

// Channel is one topic and the event types published to it.
type Channel struct {
	// Key is the channel's name in the document ("sales").
	Key string
	// Address is the topic on the shared tier ("rapport.sales.v1").
	Address string
	// Title and Description are the document's.
	Title, Description string
	// Messages are the channel's event types, sorted by type.
	Messages []*Message
}

// Message is one event type.
type Message struct {
	// Type is the CloudEvents type ("dev.rapport.sales.opportunity.won.v1").
	Type string
	// Title, Summary and Description are the document's.
	Title, Summary, Description string
	// Channel is the key of the channel it is published on.
	Channel string
	// Schema is the payload's JSON Schema, as JSON values.
	Schema map[string]any
}

// Default returns the catalogue of the embedded document. It panics if the
// document does not parse, which TestCatalogue* rules out.
var Default = sync.OnceValue(func() *Catalogue {
	c, err := Parse(embedded)
	if err != nil {
		panic(err)
	}
	return c
})

// Parse reads a merged document (see Merge).
func Parse(doc []byte) (*Catalogue, error) {
	c := &Catalogue{doc: doc, messages: map[string]*Message{}}
	if err := json.Unmarshal(doc, &c.root); err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	sum := sha256.Sum256(doc)
	c.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
	channels, _ := c.root["channels"].(map[string]any)
	for _, key := range slices.Sorted(maps.Keys(channels)) {
		ch, _ := channels[key].(map[string]any)
		channel := Channel{Key: key, Address: str(ch["address"]), Title: str(ch["title"]), Description: str(ch["description"])}
		msgs, _ := ch["messages"].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(msgs)) {
			msg, _ := c.deref(msgs[name]).(map[string]any)
			if msg == nil {
				return nil, fmt.Errorf("catalogue: message %s of channel %s does not resolve", name, key)
			}
			payload, _ := msg["payload"].(map[string]any)
			schema, _ := c.deref(payload["schema"]).(map[string]any)
			m := &Message{Type: name, Title: str(msg["title"]), Summary: str(msg["summary"]),
				Description: str(msg["description"]), Channel: key, Schema: schema}
			if _, dup := c.messages[name]; dup {
				return nil, fmt.Errorf("catalogue: type %s is on two channels", name)
			}
			c.messages[name] = m
			channel.Messages = append(channel.Messages, m)
		}
		c.channels = append(c.channels, channel)
	}
	return c, nil
}

// Document returns the AsyncAPI 3.0 document as JSON. The caller must not
// modify it.
func (c *Catalogue) Document() []byte { return c.doc }

// Types returns every event type, sorted.
func (c *Catalogue) Types() []string {
	return slices.Sorted(maps.Keys(c.messages))
}

// Has reports whether t is an event type of the catalogue.
func (c *Catalogue) Has(t string) bool {
	_, ok := c.messages[t]
	return ok
}

// Message returns the event type t, or nil.
func (c *Catalogue) Message(t string) *Message { return c.messages[t] }

// deref follows a {"$ref": "#/…"} object through the document.
func (c *Catalogue) deref(v any) any {
	for range 16 {
		ref := refOf(v)
		if !strings.HasPrefix(ref, "#") {
			return v
		}
		v = pointer(c.root, ref[1:])
	}
	return v
}

// str returns v if it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}
