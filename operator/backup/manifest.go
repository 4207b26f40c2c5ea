package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"gocloud.dev/blob"
)

// ManifestVersion is the version of the manifest's layout.
const ManifestVersion = 1

// Manifest describes one backup; it is written last, so a backup without
// one is incomplete.
type Manifest struct {
	Version     int       `json:"version"`
	Tenant      string    `json:"tenant"`
	Backup      string    `json:"backup"`
	StartedAt   time.Time `json:"startedAt"`
	CompletedAt time.Time `json:"completedAt"`
	// TopicPrefix is the tenant's topic prefix (t.<tenant>.) the offsets'
	// topics begin with.
	TopicPrefix string `json:"topicPrefix"`
	// Offsets are the committed offsets of every consumer group on the
	// tenant's topics, read before the first dump: group → topic →
	// partition → offset.
	Offsets   Offsets `json:"offsets"`
	Databases []Dump  `json:"databases"`
}

// Offsets are committed offsets: group → topic → partition → offset.
type Offsets map[string]map[string]map[int32]int64

// Dump is one database's dump in a backup.
type Dump struct {
	Service  string `json:"service"`
	Database string `json:"database"`
	Object   string `json:"object"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	// Migrations are the database's goose versions by source (the table
	// goose_<source>).
	Migrations map[string]int64 `json:"migrations"`
}

// Prefix is the folder of a tenant's backup in the store.
func Prefix(tenant, backup string) string { return tenant + "/" + backup + "/" }

// ObjectName is the key of a service's dump in a backup.
func ObjectName(tenant, backup, service string) string {
	return Prefix(tenant, backup) + service + ".dump"
}

// manifestName is the key of a backup's manifest.
func manifestName(tenant, backup string) string { return Prefix(tenant, backup) + "manifest.json" }

// WriteManifest stores m beside its dumps.
func WriteManifest(ctx context.Context, b *blob.Bucket, m Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := b.WriteAll(ctx, manifestName(m.Tenant, m.Backup), data, &blob.WriterOptions{ContentType: "application/json"}); err != nil {
		return fmt.Errorf("backup: write manifest: %w", err)
	}
	return nil
}

// ReadManifest loads the manifest of tenant's backup.
func ReadManifest(ctx context.Context, b *blob.Bucket, tenant, backup string) (Manifest, error) {
	var m Manifest
	data, err := b.ReadAll(ctx, manifestName(tenant, backup))
	if err != nil {
		return m, fmt.Errorf("backup: read manifest: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("backup: manifest: %w", err)
	}
	if m.Version != ManifestVersion {
		return m, fmt.Errorf("backup: manifest version %d, this operator reads %d", m.Version, ManifestVersion)
	}
	return m, nil
}

// Delete removes every object of tenant's backup.
func Delete(ctx context.Context, b *blob.Bucket, tenant, backup string) error {
	it := b.List(&blob.ListOptions{Prefix: Prefix(tenant, backup)})
	for {
		obj, err := it.Next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("backup: list %s: %w", Prefix(tenant, backup), err)
		}
		if err := b.Delete(ctx, obj.Key); err != nil {
			return fmt.Errorf("backup: delete %s: %w", obj.Key, err)
		}
	}
}
