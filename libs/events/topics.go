package events

// Topic names a context's topic: "<prefix>rapport.<context>.v1". The prefix is
// empty for the shared tier and "t.<tenant>." for a dedicated tenant. The
// contexts with a topic are those of libs/registry's services.
func Topic(prefix, context string) string {
	return prefix + "rapport." + context + ".v1"
}

// DLQ names the dead-letter topic of topic.
func DLQ(topic string) string { return topic + ".dlq" }

// TenantPrefix is the topic prefix of a dedicated tenant.
func TenantPrefix(tenant string) string { return "t." + tenant + "." }
