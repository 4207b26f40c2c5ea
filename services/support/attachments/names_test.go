package attachments

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("a", 300)
	longCJK := strings.Repeat("报", 100) // 300 bytes
	for _, c := range []struct{ name, in, want string }{
		{"plain", "report.pdf", "report.pdf"},
		{"Chinese kept", "维修报告 2026.docx", "维修报告 2026.docx"},
		{"emoji kept", "photo 📷.jpg", "photo 📷.jpg"},
		{"Unix path", "/etc/passwd", "passwd"},
		{"relative path", "../../secret/key.pem", "key.pem"},
		{"Windows path", `C:\Users\li\Desktop\发票.pdf`, "发票.pdf"},
		{"UNC path", `\\server\share\a.txt`, "a.txt"},
		{"mixed separators", `a/b\c.txt`, "c.txt"},
		{"trailing separator", "dir/", "dir"},
		{"dot", ".", "attachment"},
		{"dot dot", "..", "attachment"},
		{"path of dots", "a/..", "attachment"},
		{"empty", "", "attachment"},
		{"spaces only", "   ", "attachment"},
		{"control characters dropped", "in\x00voice\x07\x1b[31m.pdf", "invoice[31m.pdf"},
		{"DEL and C1 dropped", "a\x7fb\u0085c.txt", "ab c.txt"},
		{"newlines made spaces", "line1\r\nline2.txt", "line1 line2.txt"},
		{"header injection", "a.txt\r\nX-Evil: 1", "a.txt X-Evil_ 1"},
		{"tabs and runs of spaces", "a \t  b.txt", "a b.txt"},
		{"ideographic space", "报告\u3000一.txt", "报告 一.txt"},
		{"right-to-left override dropped", "invoice\u202Etxt.exe", "invoicetxt.exe"},
		{"zero-width and BOM dropped", "\uFEFFa\u200Bb\u2066.txt", "ab.txt"},
		{"reserved characters", `a<b>c:d"e|f?g*h.txt`, "a_b_c_d_e_f_g_h.txt"},
		{"leading dots", ".htaccess", "htaccess"},
		{"leading dots and spaces", " . .bashrc", "bashrc"},
		{"trailing dots and spaces", "report.pdf. . ", "report.pdf"},
		{"device name", "CON", "_CON"},
		{"device name with extension", "nul.txt", "_nul.txt"},
		{"device name with extensions", "com1.tar.gz", "_com1.tar.gz"},
		{"device-like name", "CONSOLE.txt", "CONSOLE.txt"},
		{"invalid UTF-8 replaced", "a\xff\xfeb.txt", "a\uFFFDb.txt"},
		{"long name keeps its extension", long + ".pdf", strings.Repeat("a", 251) + ".pdf"},
		{"long CJK name cut on a character", longCJK + ".pdf", strings.Repeat("报", 83) + ".pdf"},
		{"long extension cut as a whole", "a." + long, "a." + strings.Repeat("a", 253)},
		{"exactly the limit", strings.Repeat("b", 255), strings.Repeat("b", 255)},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := SanitizeName(c.in)
			if got != c.want {
				t.Errorf("SanitizeName(%q) = %q, want %q", c.in, got, c.want)
			}
			if len(got) > MaxNameBytes || !utf8.ValidString(got) {
				t.Errorf("SanitizeName(%q) = %q: %d bytes, valid UTF-8 %v", c.in, got, len(got), utf8.ValidString(got))
			}
			if again := SanitizeName(got); again != got {
				t.Errorf("SanitizeName is not stable: %q, then %q", got, again)
			}
		})
	}
}

func TestContentDisposition(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"report.pdf", `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`},
		{"维修 报告.pdf", `attachment; filename="__ __.pdf"; filename*=UTF-8''%E7%BB%B4%E4%BF%AE%20%E6%8A%A5%E5%91%8A.pdf`},
		{`a"b\c%d;e.txt`, `attachment; filename="a_b_c%d;e.txt"; filename*=UTF-8''a%22b%5Cc%25d%3Be.txt`},
	} {
		if got := ContentDisposition(c.in); got != c.want {
			t.Errorf("ContentDisposition(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
