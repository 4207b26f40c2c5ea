package main

import (
	"bytes"
	"testing"
)

func TestLineWriter(t *testing.T) {
	var out bytes.Buffer
	c := &console{out: &out, width: 8}
	w := c.lineWriter("sales", 1)
	for _, chunk := range []string{"first li", "ne\nsecond\nthi", "rd"} {
		w.Write([]byte(chunk))
	}
	w.Flush()
	c.Printf("done")
	want := "[sales   ] first line\n[sales   ] second\n[sales   ] third\n[local   ] done\n"
	if got := out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
