package pg

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"
)

// The locale a service database is created with. Collation C sorts by byte,
// which for UTF-8 is code point order: deterministic, what the
// text_pattern_ops prefix indexes follow, and never changed by an operating
// system's locale update (which would corrupt indexes). CType C.UTF-8
// classifies every Unicode character, which pg_trgm, lower() and regular
// expressions need: under LC_CTYPE C a CJK character is no letter, so
// pg_trgm finds no trigrams in Chinese names and lower() folds only ASCII.
const (
	Collation = "C"
	CType     = "C.UTF-8"
)

// CreateDatabase creates database name, owned by owner (the connected role
// when empty), from template0 with encoding UTF8, LC_COLLATE Collation and
// LC_CTYPE CType, whatever the server's defaults are. admin must be
// allowed to create databases (and to act as owner). The launcher, the
// operator and the tests all create service databases through it.
func CreateDatabase(ctx context.Context, admin *sql.DB, name, owner string) error {
	stmt := `CREATE DATABASE ` + pq.QuoteIdentifier(name)
	if owner != "" {
		stmt += ` OWNER ` + pq.QuoteIdentifier(owner)
	}
	stmt += ` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE ` + pq.QuoteLiteral(Collation) + ` LC_CTYPE ` + pq.QuoteLiteral(CType)
	if _, err := admin.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("pg: create database %s: %w", name, err)
	}
	return nil
}

// CheckTextClassification returns an error unless the database behind db
// handles non-ASCII text as the services need: its encoding is UTF8, a CJK
// character is a letter, lower() folds non-ASCII letters and, where pg_trgm
// is installed, CJK text has trigrams. A database whose LC_CTYPE is C fails
// it. Services call it at start and refuse to run on such a database, since
// duplicate checks and search would silently miss names written in CJK.
func CheckTextClassification(ctx context.Context, db *sql.DB) error {
	var name, encoding, ctype string
	var trgm bool
	err := db.QueryRowContext(ctx, `
		SELECT datname, pg_encoding_to_char(encoding), datctype, to_regprocedure('show_trgm(text)') IS NOT NULL
		FROM pg_database WHERE datname = current_database()`).Scan(&name, &encoding, &ctype, &trgm)
	if err != nil {
		return fmt.Errorf("pg: check text classification: %w", err)
	}
	if encoding != "UTF8" {
		return fmt.Errorf("pg: database %q has encoding %s, not UTF8; create it with ENCODING 'UTF8' LC_CTYPE '%s' (see the README, \"Pointing at existing infrastructure\")",
			name, encoding, CType)
	}
	q := `SELECT '张' ~ '^[[:alpha:]]$' AND lower('ÄΣ') = 'äσ'`
	if trgm {
		q += ` AND cardinality(show_trgm('张伟')) > 0`
	}
	var ok bool
	if err := db.QueryRowContext(ctx, q).Scan(&ok); err != nil {
		return fmt.Errorf("pg: check text classification: %w", err)
	}
	if !ok {
		return fmt.Errorf("pg: database %q has LC_CTYPE %q, which does not classify non-ASCII text (a CJK character is no letter, so duplicate checks and search miss Chinese names); recreate it with LC_CTYPE '%s' (see the README, \"Pointing at existing infrastructure\")",
			name, ctype, CType)
	}
	return nil
}
