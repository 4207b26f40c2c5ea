package quotes

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestFontFileReadOnce: a missing font file is an error, tried again by
// the next call; once read, its bytes are kept, and a later call returns
// them though the file is gone.
func TestFontFileReadOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "font.ttf")
	f := &fontFile{path: path}
	if _, err := f.bytes(); !os.IsNotExist(err) {
		t.Fatalf("a missing font: %v, want not exist", err)
	}
	want := []byte("the font's bytes")
	if err := os.WriteFile(path, want, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := f.bytes()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the font once installed: %q, %v", got, err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if again, err := f.bytes(); err != nil || &again[0] != &got[0] {
		t.Errorf("after the file went: %q, %v; want the bytes read before", again, err)
	}
}
