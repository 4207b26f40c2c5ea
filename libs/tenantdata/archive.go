package tenantdata

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

// ReadPartHeader reads the part.json of a part without its tables.
func ReadPartHeader(r io.Reader) (Part, error) {
	return readPart(tar.NewReader(r))
}

// WriteArchive writes the archive of m to w, gzip-compressed: manifest.json,
// then the tables of each part of m.Parts, read from parts[i] (the part as
// Export wrote it, from its start), as <service>/<table>.jsonl.
func WriteArchive(w io.Writer, m Manifest, parts []io.Reader) error {
	if len(parts) != len(m.Parts) {
		return fmt.Errorf("tenantdata: archive: %d parts for %d in the manifest", len(parts), len(m.Parts))
	}
	m.Format = Format
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	if err := writeJSON(tw, ManifestFile, m); err != nil {
		return err
	}
	for i, r := range parts {
		tr := tar.NewReader(r)
		if _, err := readPart(tr); err != nil {
			return err
		}
		for _, t := range m.Parts[i].Tables {
			h, err := tr.Next()
			if err != nil || h.Name != t.File {
				return ErrArchive.WithDetail("%s: the entry %s is missing", m.Parts[i].Service, t.File)
			}
			h.Name = m.Parts[i].Service + "/" + t.File
			if err := tw.WriteHeader(h); err != nil {
				return fmt.Errorf("tenantdata: archive: %w", err)
			}
			if _, err := io.Copy(tw, tr); err != nil {
				return fmt.Errorf("tenantdata: archive: %w", err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("tenantdata: archive: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("tenantdata: archive: %w", err)
	}
	return nil
}

// Unpacked is an archive split into its parts, each a temporary file
// holding a part as Import reads it.
type Unpacked struct {
	Manifest Manifest
	Files    []*os.File // one per Manifest.Parts, at offset 0
}

// Close removes the temporary files.
func (u *Unpacked) Close() {
	for _, f := range u.Files {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}
}

// ReadArchive reads an archive (WriteArchive's output) and splits it into
// parts, checking every entry against the manifest's checksum and row
// count: a tampered archive is ErrChecksum before anything is loaded; an
// archive of a newer format is ErrUnsupported.
func ReadArchive(r io.Reader) (*Unpacked, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, ErrArchive.WithDetail("the body is not gzip-compressed").Wrap(err)
	}
	tr := tar.NewReader(zr)
	h, err := tr.Next()
	if err != nil || h.Name != ManifestFile {
		return nil, ErrArchive.WithDetail("an archive starts with %s", ManifestFile)
	}
	u := &Unpacked{}
	if err := json.NewDecoder(io.LimitReader(tr, 64<<20)).Decode(&u.Manifest); err != nil {
		return nil, ErrArchive.WithDetail("%s is not valid JSON", ManifestFile).Wrap(err)
	}
	if u.Manifest.Format < 1 || u.Manifest.Format > Format {
		return nil, ErrUnsupported.WithDetail("format %d; this version reads formats up to %d", u.Manifest.Format, Format)
	}
	ok := false
	defer func() {
		if !ok {
			u.Close()
		}
	}()
	for _, p := range u.Manifest.Parts {
		f, err := os.CreateTemp("", "tenantdata-part-*.tar")
		if err != nil {
			return nil, fmt.Errorf("tenantdata: unpack: %w", err)
		}
		u.Files = append(u.Files, f)
		if err := unpackPart(tr, p, f); err != nil {
			return nil, err
		}
	}
	if _, err := tr.Next(); err != io.EOF {
		return nil, ErrArchive.WithDetail("the archive holds entries its manifest does not list")
	}
	ok = true
	return u, nil
}

// unpackPart copies p's entries from tr into f as a part, checking them.
func unpackPart(tr *tar.Reader, p Part, f *os.File) error {
	tw := tar.NewWriter(f)
	if err := writeJSON(tw, PartFile, p); err != nil {
		return err
	}
	for _, t := range p.Tables {
		h, err := tr.Next()
		if err != nil || h.Name != p.Service+"/"+t.File || strings.Contains(t.File, "/") || path.Clean(h.Name) != h.Name {
			return ErrArchive.WithDetail("the entry %s/%s is missing or out of order", p.Service, t.File)
		}
		sum := sha256.New()
		h.Name = t.File
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("tenantdata: unpack: %w", err)
		}
		n, err := io.Copy(io.MultiWriter(tw, sum), tr)
		if err != nil {
			return ErrArchive.WithDetail("the entry %s/%s cannot be read", p.Service, t.File).Wrap(err)
		}
		if got := hex.EncodeToString(sum.Sum(nil)); got != t.SHA256 {
			return ErrChecksum.WithDetail("%s/%s (%d bytes) has SHA-256 %s, the manifest says %s", p.Service, t.File, n, got, t.SHA256)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("tenantdata: unpack: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("tenantdata: unpack: %w", err)
	}
	return nil
}
