package importjob

import (
	"strings"
	"unicode/utf8"
)

// CellValue trims a cell and drops the apostrophe that exports put before
// a cell starting with a formula character (CellText), so that a file
// exported from Rapport imports as it was.
func CellValue(cell string) string {
	cell = strings.TrimSpace(cell)
	if len(cell) > 1 && cell[0] == '\'' && strings.ContainsRune(formulaStart, rune(cell[1])) {
		return cell[1:]
	}
	return cell
}

// formulaStart are the characters that make a spreadsheet read a cell as a
// formula.
const formulaStart = "=+-@\t\r"

// CellText defuses a cell a spreadsheet would run as a formula (OWASP CSV
// injection): one starting with =, +, -, @, a tab or a carriage return gets
// a leading apostrophe. Exports and error reports write their cells
// through it.
func CellText(s string) string {
	if s != "" && strings.ContainsRune(formulaStart, rune(s[0])) {
		return "'" + s
	}
	return s
}

// SplitList splits a cell holding several values at any of seps, dropping
// empty ones.
func SplitList(cell, seps string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(cell, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// ReportValue is a value as the error report shows it: valid UTF-8, at
// most 1000 characters.
func ReportValue(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if utf8.RuneCountInString(s) > 1000 {
		s = string([]rune(s)[:1000]) + "…"
	}
	return s
}
