// Package backup dumps a tenant's databases into an object store and
// restores them: pg_dump in the custom format streamed into a gocloud.dev
// bucket (S3-compatible, a directory, …), never whole in memory, with a
// manifest of the migration versions, the Kafka consumer offsets at backup
// time, the sizes and checksums; and pg_restore streamed back from it.
package backup
