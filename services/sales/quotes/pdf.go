package quotes

import (
	"bytes"
	"fmt"
	"os"
	"sync"

	"codeberg.org/go-pdf/fpdf"

	"github.com/rapport-crm/rapport/libs/errs"
)

// FontPath is the TrueType font PDFs are written in, embedded (its glyphs
// in use) in each: Droid Sans Fallback of Debian's fonts-droid-fallback
// (Apache-2.0), whose glyphs cover Chinese, Japanese and Korean besides
// Latin. README.md says why a file of the system rather than one of the
// module.
const FontPath = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

// ErrNoFont is a PDF asked of a machine without the font.
var ErrNoFont = errs.New(errs.Unavailable, "pdf-font-missing",
	"the font of PDFs is not installed: install the Debian package fonts-droid-fallback ("+FontPath+")")

// fontFile is a font file read once and kept: its bytes are read by the
// first call of bytes that finds the file, while concurrent calls wait,
// and every later call returns them without reading the disk; a failed
// read is tried again by the next call, so a font installed after the
// service started is taken without a restart.
type fontFile struct {
	path string
	mu   sync.Mutex
	ttf  []byte
}

// bytes returns the font's bytes.
func (f *fontFile) bytes() ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ttf == nil {
		ttf, err := os.ReadFile(f.path)
		if err != nil {
			return nil, err
		}
		f.ttf = ttf
	}
	return f.ttf, nil
}

// font is the font of PDFs.
var font = &fontFile{path: FontPath}

// renderPDF renders d as a PDF of A4 pages.
func renderPDF(d *Document) (*rendered, error) {
	ttf, err := font.bytes()
	if err != nil {
		return nil, ErrNoFont.Wrap(err)
	}
	v := viewOf(d)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("Quote "+v.Number, true)
	pdf.AddUTF8FontFromBytes("cjk", "", ttf)
	pdf.AddPage()
	pdf.SetFont("cjk", "", 18)
	pdf.CellFormat(0, 10, "报价单 Quote "+v.Number, "", 1, "L", false, 0, "")
	pdf.SetFont("cjk", "", 10)
	pdf.CellFormat(0, 6, fmt.Sprintf("Revision %d · %s · %s", v.Revision, v.Date, v.State), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 6, v.Name, "", 1, "L", false, 0, "")
	if v.Account != "" {
		pdf.CellFormat(0, 6, "Account "+v.Account, "", 1, "L", false, 0, "")
	}
	if v.Contact != "" {
		pdf.CellFormat(0, 6, "Contact "+v.Contact, "", 1, "L", false, 0, "")
	}
	pdf.Ln(4)
	widths := []float64{28, 62, 22, 26, 18, 30}
	row := func(cells []string, border string) {
		for i, c := range cells {
			align := "R"
			if i < 2 {
				align = "L"
			}
			pdf.CellFormat(widths[i], 7, c, border, 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	row([]string{"SKU", "Product", "Quantity", "Unit price", "Discount", "Total"}, "1")
	for _, l := range v.Lines {
		row([]string{l.SKU, l.Name, l.Quantity, l.UnitPrice, l.Discount, l.Total}, "1")
	}
	pdf.CellFormat(widths[0]+widths[1]+widths[2]+widths[3]+widths[4], 7, "Total "+v.Currency, "1", 0, "R", false, 0, "")
	pdf.CellFormat(widths[5], 7, v.Total, "1", 1, "R", false, 0, "")
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("render the quote's PDF: %w", err)
	}
	return &rendered{contentType: "application/pdf", body: b.Bytes()}, nil
}
