package attachments

import (
	"archive/zip"
	"bytes"
	"errors"
	"image"
	"image/png"
	"mime"
	"path"
	"strings"
	"testing"
)

// pngBytes is a 1×1 PNG image.
func pngBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipBytes is a zip archive of one text file.
func zipBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create("a.txt")
	if err == nil {
		_, err = f.Write([]byte("hello"))
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// elfBytes is the header of a 64-bit ELF executable.
func elfBytes() []byte {
	b := make([]byte, 64)
	copy(b, "\x7fELF\x02\x01\x01")
	b[16] = 2
	return b
}

const docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		name, file, declared string
		data                 []byte
		want, served         string
		refused              bool
		byExtension          bool // the type comes from the name's extension
	}{
		{name: "a PNG named .txt", file: "photo.txt", declared: "text/plain", data: pngBytes(t), want: "image/png", served: "image/png"},
		{name: "text with no hint", file: "notes", data: []byte("hello, world\n"), want: "text/plain; charset=utf-8", served: "text/plain; charset=utf-8"},
		{name: "Chinese text", file: "说明.txt", data: []byte("你好，世界\n"), want: "text/plain; charset=utf-8", served: "text/plain; charset=utf-8"},
		{name: "text declared CSV", file: "list", declared: "text/csv", data: []byte("name\nLi\n"), want: "text/csv; charset=utf-8", served: "text/csv; charset=utf-8"},
		{name: "text named .csv", file: "list.csv", declared: "application/octet-stream", data: []byte("name\nLi\n"), want: "text/csv; charset=utf-8", served: "text/csv; charset=utf-8", byExtension: true},
		{name: "a zip declared a Word document", file: "report", declared: docx, data: zipBytes(t), want: docx, served: docx},
		{name: "a zip named .docx", file: "report.docx", data: zipBytes(t), want: docx, served: docx, byExtension: true},
		{name: "a zip declared a PNG stays a zip", file: "a.png", declared: "image/png", data: zipBytes(t), want: "application/zip", served: "application/zip"},
		{name: "unknown bytes declared a PNG", file: "a.png", declared: "image/png", data: []byte{0, 1, 2, 3, 0xff, 0xfe}, want: "application/octet-stream", served: "application/octet-stream"},
		{name: "a PNG declared HTML", file: "a.html", declared: "text/html", data: pngBytes(t), want: "image/png", served: "image/png"},
		{name: "HTML named .txt", file: "a.txt", declared: "text/plain", data: []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), want: "text/html; charset=utf-8", served: "application/octet-stream"},
		{name: "text declared HTML", file: "a", declared: "text/html", data: []byte("just words"), want: "text/html; charset=utf-8", served: "application/octet-stream"},
		{name: "SVG", file: "logo.png", declared: "image/png", data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), want: "image/svg+xml", served: "application/octet-stream"},
		{name: "XML", file: "a.xml", data: []byte(`<?xml version="1.0"?><a/>`), want: "text/xml; charset=utf-8", served: "application/octet-stream"},
		{name: "a shell script", file: "run.txt", data: []byte("#!/bin/sh\nrm -rf /\n"), want: "text/x-shellscript", served: "application/octet-stream"},
		{name: "JSON", file: "a.json", data: []byte(`{"a": 1}`), want: "application/json", served: "application/json"},
		{name: "PDF", file: "a.pdf", data: []byte("%PDF-1.7\n"), want: "application/pdf", served: "application/pdf"},
		{name: "an ELF executable", file: "tool.txt", declared: "text/plain", data: elfBytes(), want: "application/x-executable", refused: true},
		{name: "text that starts with MZ", file: "notes.txt", data: []byte("MZ team: 周会纪要\n"), want: "text/plain; charset=utf-8", served: "text/plain; charset=utf-8"},
		{name: "a long text that starts with MZ", file: "notes.txt", data: append([]byte("MZ"), bytes.Repeat([]byte("纪"), 2000)...), want: "text/plain; charset=utf-8", served: "text/plain; charset=utf-8"},
		{name: "a Windows executable", file: "setup.pdf", declared: "application/pdf", data: append([]byte("MZ"), make([]byte, 62)...), want: "application/vnd.microsoft.portable-executable", refused: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.byExtension && mime.TypeByExtension(path.Ext(c.file)) == "" {
				t.Skipf("the system knows no type of %s (the Debian package media-types installs them)", path.Ext(c.file))
			}
			got := sniff(c.data, c.declared, c.file)
			if !strings.EqualFold(got, c.want) {
				t.Errorf("sniffed %q, want %q", got, c.want)
			}
			if refused(got) != c.refused {
				t.Errorf("%q refused: %v, want %v", got, refused(got), c.refused)
			}
			if served := ServedType(got); !c.refused && served != c.served {
				t.Errorf("%q served as %q, want %q", got, served, c.served)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	if _, err := check(Upload{Name: "a.txt", Data: []byte("12345")}, 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := check(Upload{Name: "a.txt"}, 4); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	if _, err := check(Upload{Name: "a", Data: elfBytes()}, 1<<10); !errors.Is(err, ErrRefusedType) {
		t.Errorf("a program: %v", err)
	}
	m, err := check(Upload{Name: `C:\tmp\a.txt`, ContentType: "text/plain", Data: []byte("abcd")}, 4)
	want := Meta{Name: "a.txt", ContentType: "text/plain; charset=utf-8", Size: 4,
		SHA256: "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589"}
	if err != nil || m != want {
		t.Errorf("at the limit: %+v, %v; want %+v", m, err, want)
	}
}
