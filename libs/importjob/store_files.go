package importjob

import (
	"context"
	"fmt"
	"io"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/libs/outbox"
)

// partBytes is the size of the parts a file's text is stored in (the last
// may be shorter); partsPerRead is how many parts one query reads.
const (
	partBytes    = 1 << 20
	partsPerRead = 4
)

// fileText reads the stored text of an import from an offset, a few parts
// per query, each in a transaction of its own: a job reads its file
// between the transactions of its chunks.
type fileText struct {
	ctx      context.Context
	store    *Store
	tenant   string
	id       string
	seq      int    // the next part to read
	skip     int    // bytes of it to skip
	buf      []byte // what is read and not yet returned
	parts    [][]byte
	finished bool
}

// openText returns the text of import id from offset on.
func (s *Store) openText(ctx context.Context, tenant, id string, offset int64) io.Reader {
	return &fileText{ctx: ctx, store: s, tenant: tenant, id: id, seq: int(offset / partBytes), skip: int(offset % partBytes)}
}

// Read implements io.Reader.
func (f *fileText) Read(p []byte) (int, error) {
	for len(f.buf) == 0 {
		if len(f.parts) > 0 {
			f.buf, f.parts = f.parts[0], f.parts[1:]
			continue
		}
		if f.finished {
			return 0, io.EOF
		}
		if err := f.fetch(); err != nil {
			return 0, err
		}
	}
	n := copy(p, f.buf)
	f.buf = f.buf[n:]
	return n, nil
}

// fetch reads the next parts.
func (f *fileText) fetch() error {
	var parts [][]byte
	err := f.store.db.InTx(f.ctx, f.tenant, func(tx *outbox.Tx) error {
		return tx.SQL().SelectContext(f.ctx, &parts, `SELECT data FROM import_files WHERE import_id = $1 AND seq >= $2 AND seq < $3 ORDER BY seq`,
			f.id, f.seq, f.seq+partsPerRead)
	})
	if err != nil {
		return fmt.Errorf("read import file: %w", pg.MapError(err))
	}
	f.seq += partsPerRead
	if len(parts) < partsPerRead {
		f.finished = true
	}
	if len(parts) > 0 && f.skip > 0 {
		parts[0] = parts[0][min(f.skip, len(parts[0])):]
		f.skip = 0
	}
	f.parts = parts
	return nil
}
