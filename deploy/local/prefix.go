package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
)

// console serialises lines from the launcher and every child onto one writer,
// each prefixed with its source's padded name, coloured on a terminal.
type console struct {
	mu    sync.Mutex
	out   io.Writer
	color bool
	width int
}

// newConsole writes to out; colour is used only when out is a terminal and
// NO_COLOR is unset. width is the longest source name, for alignment.
func newConsole(out *os.File, width int) *console {
	return &console{out: out, color: isTerminal(out) && os.Getenv("NO_COLOR") == "", width: width}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// ansi colours cycled through the sources.
var palette = []string{"36", "33", "32", "35", "34", "91", "96", "93"}

// prefix renders "[name   ] " for source number i.
func (c *console) prefix(name string, i int) string {
	p := fmt.Sprintf("[%-*s] ", c.width, name)
	if c.color {
		return "\x1b[" + palette[i%len(palette)] + "m" + p + "\x1b[0m"
	}
	return p
}

// writeLine writes one complete line (with its newline) under the lock.
func (c *console) writeLine(prefix string, line []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	io.WriteString(c.out, prefix)
	c.out.Write(line)
}

// Printf prints a launcher line under the name "local".
func (c *console) Printf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if len(line) == 0 || line[len(line)-1] != '\n' {
		line += "\n"
	}
	c.writeLine(c.prefix(launcherName, 0), []byte(line))
}

// launcherName prefixes the launcher's own lines.
const launcherName = "local"

// lineWriter is an io.Writer for a child's stdout or stderr that emits whole
// lines through the console, each with the child's prefix.
type lineWriter struct {
	c      *console
	prefix string
	mu     sync.Mutex
	buf    []byte
}

func (c *console) lineWriter(name string, i int) *lineWriter {
	return &lineWriter{c: c, prefix: c.prefix(name, i)}
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.c.writeLine(w.prefix, w.buf[:i+1])
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > 64<<10 { // a very long line without newline: emit it anyway
		w.c.writeLine(w.prefix, append(w.buf, '\n'))
		w.buf = nil
	}
	return len(p), nil
}

// Flush emits a last line that had no newline.
func (w *lineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.c.writeLine(w.prefix, append(w.buf, '\n'))
		w.buf = nil
	}
}
