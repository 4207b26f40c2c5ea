package attachments

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes is the longest name an attachment keeps, in bytes of
// UTF-8: what file systems take.
const MaxNameBytes = 255

// defaultName names an attachment whose name has nothing left.
const defaultName = "attachment"

// reservedNames are the names Windows keeps for devices, whatever their
// extension.
var reservedNames = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true}

// SanitizeName returns the name a file is kept and served under: its last
// path element (of a Unix or Windows path), invalid UTF-8 replaced, without
// control or invisible formatting characters (a right-to-left override
// would show "exe.txt" for "txt.exe"), the characters file systems refuse
// (<>:"/\|?*) replaced by "_", whitespace runs made one space, no leading
// dots or spaces nor trailing ones, no device name of Windows, and at most
// MaxNameBytes bytes, cut on a character and keeping the extension;
// "attachment" when nothing is left.
func SanitizeName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		case strings.ContainsRune(`<>:"/\|?*`, r):
			r = '_'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	name = strings.TrimRight(strings.TrimLeft(b.String(), ". "), ". ")
	if device, _, _ := strings.Cut(name, "."); reservedNames[strings.ToUpper(strings.TrimSpace(device))] {
		name = "_" + name
	}
	name = capName(name)
	if name == "" {
		return defaultName
	}
	return name
}

// splitExt splits name before its extension (the last dot and what
// follows; none for a name that is all extension).
func splitExt(name string) (stem, ext string) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return name, ""
	}
	return name[:i], name[i:]
}

// maxExtBytes is the longest extension capName keeps whole.
const maxExtBytes = 32

// capName cuts name to MaxNameBytes bytes on a character boundary, from
// the end of its stem so that a short extension stays.
func capName(name string) string {
	if len(name) <= MaxNameBytes {
		return name
	}
	stem, ext := splitExt(name)
	if len(ext) > maxExtBytes {
		stem, ext = name, ""
	}
	return strings.TrimRight(cut(stem, MaxNameBytes-len(ext)), ". ") + ext
}

// cut returns the longest prefix of s of at most n bytes that ends on a
// character boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
