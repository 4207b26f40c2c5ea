package importjob

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// uploadLease is how long an upload may go without storing a part before
// an instance takes it for interrupted (its instance stopped).
const uploadLease = 2 * time.Minute

// Start implements Service: it reads the first bytes of the file to detect
// its layout and check the options against its header, then streams the
// file, converted to UTF-8, into the database a part at a time (never
// holding more than a part), and queues the import. A file over
// MaxFileBytes is ErrFileTooLarge and leaves nothing behind.
func (s *service) Start(ctx context.Context, up Upload) (*Import, error) {
	in, err := s.inspect(ctx, up)
	if err != nil {
		return nil, err
	}
	p, policy, l, sample, complete := in.p, in.policy, in.l, in.sample, in.complete
	if _, err := PlanImport(l.Header, up.Options.Mapping, policy, in.target); err != nil {
		return nil, err
	}
	if complete && len(l.Rows) == 0 {
		return nil, ErrEmptyFile.WithDetail("the file has a header but no rows")
	}
	principal, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode principal: %w", err)
	}
	im := &Import{ID: ids.New(), FileName: up.FileName, Encoding: l.Encoding, Delimiter: string(l.Delimiter),
		LineBreak: string(l.Newline), Header: l.Header, Mapping: mapped(up.Options.Mapping), DuplicatePolicy: policy,
		CreatedBy: p.UserID, CreatedAt: s.timestamp()}
	if err := s.store.begin(ctx, p.TenantID, im, principal, uploadLease); err != nil {
		return nil, err
	}
	size, text, err := s.storeText(ctx, p, im, io.MultiReader(bytes.NewReader(sample), up.File), l.bom)
	if err != nil {
		// The upload failed: nothing of it stays (the client sees why).
		_ = s.store.abandon(context.WithoutCancel(ctx), p.TenantID, im.ID)
		return nil, err
	}
	return s.store.finishUpload(ctx, p.TenantID, im.ID, size, text)
}

// storeText stores the text of file, whose byte order mark is bom bytes
// long, as im's, in parts of partBytes, and returns the file's size and the
// text's; a file over s.maxFile is ErrFileTooLarge.
func (s *service) storeText(ctx context.Context, p auth.Principal, im *Import, file io.Reader, bom int) (int64, int64, error) {
	counted := &countingReader{r: file, max: s.maxFile}
	if _, err := io.CopyN(io.Discard, counted, int64(bom)); err != nil {
		return 0, 0, err
	}
	text := toUTF8(counted, im.Encoding)
	part := make([]byte, partBytes)
	var stored int64
	for seq := 0; ; seq++ {
		n, end, err := fill(text, part)
		if err != nil {
			return 0, 0, err
		}
		if n > 0 {
			if err := s.store.appendPart(ctx, p.TenantID, im.ID, seq, part[:n], uploadLease); err != nil {
				return 0, 0, err
			}
			stored += int64(n)
		}
		if end {
			return counted.n, stored, nil
		}
	}
}

// fill reads r into buf until buf is full or r ends (end), and returns
// what it read. Only io.EOF ends r: a body cut short (io.ErrUnexpectedEOF,
// a connection reset) is an error, so that a broken upload is never taken
// for a whole file.
func fill(r io.Reader, buf []byte) (n int, end bool, err error) {
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if errors.Is(err, io.EOF) {
			return n, true, nil
		}
		if err != nil {
			var known *errs.Error
			if errors.As(err, &known) {
				return n, false, err
			}
			return n, false, ErrBadUpload.WithDetail("the file could not be read to its end: %s", err.Error())
		}
	}
	return n, false, nil
}

// Preview implements Service.
func (s *service) Preview(ctx context.Context, up Upload) (*Preview, error) {
	in, err := s.inspect(ctx, up)
	if err != nil {
		return nil, err
	}
	l, t := in.l, in.target
	rows := l.Rows
	if rows == nil {
		rows = [][]string{}
	}
	return &Preview{Encoding: l.Encoding, Delimiter: string(l.Delimiter), Header: l.Header, Rows: rows,
		SuggestedMapping: t.Suggest(l.Header), Fields: t.Fields()}, nil
}

// inspection is what an upload's first bytes tell, for Start and Preview:
// the caller, the duplicate policy, the file's layout, the tenant's
// Target, and the bytes read (sample, complete when they are the whole
// file).
type inspection struct {
	p        auth.Principal
	policy   string
	l        layout
	target   Target
	sample   []byte
	complete bool
}

// inspect checks up's options, reads the first bytes of its file and
// detects its layout.
func (s *service) inspect(ctx context.Context, up Upload) (inspection, error) {
	var in inspection
	p, err := caller(ctx)
	if err != nil {
		return in, err
	}
	policy, enc, delim, err := checkOptions(up.Options)
	if err != nil {
		return in, err
	}
	sample, complete, err := readStart(up.File)
	if err != nil {
		return in, err
	}
	l, err := sniff(sample, complete, enc, delim)
	if err != nil {
		return in, err
	}
	t, err := s.store.target(ctx, s.domain, p.TenantID)
	if err != nil {
		return in, err
	}
	return inspection{p: p, policy: policy, l: l, target: t, sample: sample, complete: complete}, nil
}

// checkOptions checks the options but the mapping (which needs the header)
// and returns the duplicate policy (skip by default), the encoding's
// canonical name and the delimiter, "" and 0 where they are to be detected.
func checkOptions(o Options) (policy, encoding string, delimiter byte, err error) {
	v := errs.NewValidator()
	policy = o.DuplicatePolicy
	if policy == "" {
		policy = PolicySkip
	}
	v.Check(slices.Contains(Policies, policy), "duplicatePolicy", "must be one of "+strings.Join(Policies, ", "))
	if o.Encoding != "" {
		var ok bool
		encoding, ok = encodingNamed(o.Encoding)
		v.Check(ok, "encoding", "must be an encoding of the WHATWG Encoding Standard, such as utf-8, utf-16le, gb18030, windows-1252")
	}
	switch d := o.Delimiter; {
	case d == "":
	case len(d) == 1 && !strings.ContainsAny(d, "\"\r\n"):
		delimiter = d[0]
	default:
		v.Check(false, "delimiter", `must be one ASCII character other than a quote or a line break, such as "," ";" or "\t"`)
	}
	return policy, encoding, delimiter, v.Err()
}

// readStart reads the first sampleBytes of file, and whether that is all.
func readStart(file io.Reader) ([]byte, bool, error) {
	sample := make([]byte, sampleBytes)
	n, end, err := fill(file, sample)
	return sample[:n], end, err
}

// countingReader counts the bytes read through it and fails with
// ErrFileTooLarge past max.
type countingReader struct {
	r   io.Reader
	n   int64
	max int64
}

// Read implements io.Reader.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, ErrFileTooLarge.WithDetail("the file is larger than %d bytes", c.max)
	}
	return n, err
}
