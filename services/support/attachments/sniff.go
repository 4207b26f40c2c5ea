package attachments

import (
	"bytes"
	"mime"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
)

// refusedTypes are the types of programs, which no case needs and which
// are the payload of most malicious mail: Windows executables and
// libraries, installers and shortcuts, ELF and Mach-O binaries, Java
// classes and compiled HTML help. A file of one of them (or of a subtype)
// is ErrRefusedType.
var refusedTypes = []string{
	windowsProgram, "application/x-ms-installer", "application/x-ms-shortcut",
	"application/x-elf", "application/x-mach-binary", "application/x-java-applet", "application/vnd.ms-htmlhelp",
}

// downloadOnlyTypes are the types a browser or desktop would run or render
// with scripts: they are kept and described as sniffed, but served only as
// application/octet-stream (ServedType), always as a download.
var downloadOnlyTypes = []string{
	"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "text/javascript", "application/x-shockwave-flash",
	"text/x-shellscript", "text/x-php", "text/x-python", "text/x-perl", "text/x-ruby", "text/x-lua", "text/x-tcl",
	"application/x-chrome-extension",
}

// windowsProgram is the type of Windows executables: any bytes that
// start with "MZ", for mimetype.
const windowsProgram = "application/vnd.microsoft.portable-executable"

// isText reports whether the start of data is UTF-8 text without NUL
// bytes, which no program's header is.
func isText(data []byte) bool {
	head := data[:min(len(data), 4096)]
	for i := 0; i < utf8.UTFMax-1 && len(head) < len(data) && !utf8.Valid(head); i++ {
		head = head[:len(head)-1] // a character cut at the end of the window
	}
	return utf8.Valid(head) && bytes.IndexByte(head, 0) < 0
}

// octetStream is the type of bytes of no known type, and the type
// download-only files are served as.
const octetStream = "application/octet-stream"

// sniff returns the content type of data with its parameters (a text's
// charset), from its bytes (github.com/gabriel-vasile/mimetype). The type
// the sender declared, and the one the name's extension suggests, are
// hints: one is taken only where it names a subtype of what the bytes show
// (text/csv of text/plain, a .docx of application/zip), never another kind
// of file.
func sniff(data []byte, declared, name string) string {
	m := mimetype.Detect(data)
	if m.Is(windowsProgram) && isText(data) {
		return "text/plain; charset=utf-8" // text that starts with "MZ", the mark of a Windows program
	}
	for _, hint := range []string{declared, mime.TypeByExtension(path.Ext(name))} {
		if h := mimetype.Lookup(hint); h != nil && h != m && descends(h, m.String()) && m.Parent() != nil {
			return withParams(h.String(), m.String())
		}
	}
	return m.String()
}

// withParams is typ with the parameters of sniffed (a text's charset).
func withParams(typ, sniffed string) string {
	_, params, err := mime.ParseMediaType(sniffed)
	if err != nil || len(params) == 0 {
		return typ
	}
	return mime.FormatMediaType(typ, params)
}

// descends reports whether m is typ or of a subtype of typ in mimetype's
// tree.
func descends(m *mimetype.MIME, typ string) bool {
	for ; m != nil; m = m.Parent() {
		if m.Is(typ) {
			return true
		}
	}
	return false
}

// isAny reports whether the content type typ is one of types or of a
// subtype of one.
func isAny(typ string, types []string) bool {
	m := mimetype.Lookup(typ)
	for _, t := range types {
		if m != nil && descends(m, t) || m == nil && strings.EqualFold(baseType(typ), t) {
			return true
		}
	}
	return false
}

// baseType is typ without parameters.
func baseType(typ string) string {
	t, _, _ := strings.Cut(typ, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// refused reports whether files of the content type typ are refused.
func refused(typ string) bool { return isAny(typ, refusedTypes) }

// ServedType is the Content-Type an attachment of the sniffed type typ is
// served with: typ, or application/octet-stream for the types a browser
// would run (HTML, SVG, XML, scripts).
func ServedType(typ string) string {
	if typ == "" || isAny(typ, downloadOnlyTypes) {
		return octetStream
	}
	return typ
}
