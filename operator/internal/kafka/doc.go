// Package kafka creates and deletes a dedicated tenant's topics through the
// Kafka admin protocol (franz-go's kadm).
package kafka
