package customfields

import (
	"encoding/json"
	"strings"
)

// FromCell returns the value a cell of a CSV file gives a custom field of
// definition d, in the form the API takes (Check then checks and
// normalises it as for any write): a number as a JSON number, a boolean
// from true/false, yes/no or 1/0 (是/否), the options of a multi select
// separated by ";", a currency amount as its JSON object; text as it is,
// and a cell that reads as none of these as it is, for Check to refuse.
func FromCell(d Field, cell string) any {
	switch d.Type {
	case "number":
		return json.Number(cell)
	case "boolean":
		switch strings.ToLower(cell) {
		case "true", "yes", "y", "1", "是":
			return true
		case "false", "no", "n", "0", "否":
			return false
		}
	case "multiSelect":
		var list []any
		for _, o := range strings.Split(cell, ";") {
			if o = strings.TrimSpace(o); o != "" {
				list = append(list, o)
			}
		}
		return list
	case "currency":
		var v map[string]any
		if DecodeNumbers([]byte(cell), &v) == nil {
			return v
		}
	}
	return cell
}
