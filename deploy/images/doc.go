// Package images builds the container images of Rapport's programs without
// a Docker daemon: each program compiled statically, on a base made from
// this machine's Debian files (the CA bundle of ca-certificates, the time
// zones of tzdata, a passwd and group with the nonroot user 65532; the
// operator's image also pg_dump and pg_restore of postgresql-client with
// the shared libraries they load, PG_BIN_DIR naming them), put
// together with go-containerregistry into reproducible images (sorted layer
// entries, fixed owners and times, the commit's time as the creation time)
// and written as an OCI image layout and a docker tarball, each with a
// CycloneDX SBOM. `make images` runs it through deploy/images/cmd.
package images
