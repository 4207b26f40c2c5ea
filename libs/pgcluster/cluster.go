package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/pg"
)

// Options configures Start.
type Options struct {
	// Dir is the data directory. It is created (mode 0700) if missing and
	// initialised if empty; an already-initialised directory is reused.
	// When running as root every parent of Dir must be searchable by the
	// postgres OS user.
	Dir string
	// Port is the TCP port on 127.0.0.1. Required.
	Port int
	// BinDir holds initdb and pg_ctl; empty means search PATH and
	// /usr/lib/postgresql/*/bin (highest version).
	BinDir string
	// Logf, if set, receives progress lines ("initialising ...").
	Logf func(format string, args ...any)
	// SynchronousCommit acknowledges a commit only once its WAL is written,
	// so that a crash of the server (RestartImmediate) loses no
	// acknowledged transaction. The default, off, acknowledges before, for
	// speed: a crash may lose the last fraction of a second of commits.
	// Either way fsync is off: the data survives the server's crash, not
	// the machine's.
	SynchronousCommit bool
	// MaxConnections is the server's max_connections; 0 keeps PostgreSQL's
	// default (100).
	MaxConnections int
}

// Cluster is a running PostgreSQL cluster started by Start.
type Cluster struct {
	dir        string
	port       int
	binDir     string
	owner      *owner
	logf       func(string, ...any)
	syncCommit bool
	maxConns   int
}

// Start initialises the data directory if needed and starts the server,
// returning once it accepts connections. A server left running on Dir by an
// earlier process is stopped and started again with these options.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("pgcluster: Options.Dir is required")
	}
	if opts.Port <= 0 || opts.Port > 65535 {
		return nil, fmt.Errorf("pgcluster: Options.Port %d is not a port", opts.Port)
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: data dir: %w", err)
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	own, err := serverOwner()
	if err != nil {
		return nil, err
	}
	initialised, major, err := inspectDir(dir)
	if err != nil {
		return nil, err
	}
	binDir, err := findBinDir(opts.BinDir, major)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, port: opts.Port, binDir: binDir, owner: own, logf: logf, syncCommit: opts.SynchronousCommit, maxConns: opts.MaxConnections}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pgcluster: create data dir: %w", err)
	}
	if err := own.checkReachable(dir); err != nil {
		return nil, err
	}
	if err := own.chownTree(dir); err != nil {
		return nil, err
	}
	if !initialised {
		if err := c.initdb(ctx); err != nil {
			return nil, err
		}
	} else {
		if err := c.checkVersion(major); err != nil {
			return nil, err
		}
		if c.running(ctx) {
			logf("pgcluster: a server is already running on %s; restarting it on port %d", dir, opts.Port)
			if err := c.stop(ctx); err != nil {
				return nil, err
			}
		}
	}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// inspectDir reports whether dir holds a cluster and, if so, its major version.
// A non-empty directory that is not a cluster is an error, so Start never
// initialises over someone's files.
func inspectDir(dir string) (initialised bool, major string, err error) {
	b, err := os.ReadFile(filepath.Join(dir, "PG_VERSION"))
	if err == nil {
		return true, strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return false, "", fmt.Errorf("pgcluster: read PG_VERSION: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, "", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("pgcluster: read data dir: %w", err)
	}
	if len(entries) > 0 {
		return false, "", fmt.Errorf("pgcluster: %s is neither empty nor a PostgreSQL data directory", dir)
	}
	return false, "", nil
}

func (c *Cluster) checkVersion(major string) error {
	have, err := binaryMajor(c.binDir)
	if err != nil {
		return err
	}
	if have != major {
		return fmt.Errorf("pgcluster: %s was initialised by PostgreSQL %s but the binaries in %s are version %s; remove the directory or install PostgreSQL %s",
			c.dir, major, c.binDir, have, major)
	}
	return nil
}

// initdb initialises the data directory with collation C and the LC_CTYPE
// of pg.CreateDatabase, so the template databases and postgres classify
// non-ASCII text too: under LC_CTYPE C pg_trgm finds no trigrams in CJK text.
func (c *Cluster) initdb(ctx context.Context) error {
	c.logf("pgcluster: initialising %s with %s", c.dir, c.binDir)
	_, err := c.run(ctx, "initdb", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--lc-ctype="+pg.CType, "--no-sync", "-D", c.dir)
	return err
}

func (c *Cluster) start(ctx context.Context) error {
	c.logf("pgcluster: starting PostgreSQL on 127.0.0.1:%d", c.port)
	syncCommit := "off"
	if c.syncCommit {
		syncCommit = "on"
	}
	args := []string{
		"-p", strconv.Itoa(c.port),
		"-h", "127.0.0.1",
		"-k", shellQuote(c.dir),
		"-F",
		"-c", "fsync=off",
		"-c", "synchronous_commit=" + syncCommit,
		"-c", "full_page_writes=off",
	}
	if c.maxConns > 0 {
		args = append(args, "-c", "max_connections="+strconv.Itoa(c.maxConns))
	}
	serverOpts := strings.Join(args, " ")
	_, err := c.run(ctx, "pg_ctl", "-D", c.dir, "-l", c.LogFile(), "-w", "-t", "60", "-o", serverOpts, "start")
	if err != nil {
		return fmt.Errorf("%w (server log: %s)", err, c.LogFile())
	}
	return nil
}

// Stop shuts the server down (fast mode: open sessions are cancelled) and
// waits for it to exit. The data directory is kept.
func (c *Cluster) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return c.stop(ctx)
}

func (c *Cluster) stop(ctx context.Context) error {
	_, err := c.run(ctx, "pg_ctl", "-D", c.dir, "-m", "fast", "-w", "-t", "60", "stop")
	return err
}

// RestartImmediate stops the server in immediate mode, as a crash would (no
// checkpoint: the next start recovers from the WAL), and starts it again,
// returning once it accepts connections. The fault suite uses it.
func (c *Cluster) RestartImmediate(ctx context.Context) error {
	if _, err := c.run(ctx, "pg_ctl", "-D", c.dir, "-m", "immediate", "-w", "-t", "60", "stop"); err != nil {
		return err
	}
	return c.start(ctx)
}

// running reports whether a server is running on the data directory.
func (c *Cluster) running(ctx context.Context) bool {
	_, err := c.run(ctx, "pg_ctl", "-D", c.dir, "status")
	return err == nil
}

// run executes one of the PostgreSQL binaries as the cluster's owner, in the
// data directory, and returns its combined output; a failure's error includes
// that output.
func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	cmd.Dir = c.dir
	cmd.SysProcAttr = c.owner.sysProcAttr()
	cmd.Env = append(os.Environ(), "LC_ALL=C", "PGTZ=UTC")
	if c.owner != nil {
		cmd.Env = append(cmd.Env, "HOME="+c.dir, "USER="+c.owner.name, "LOGNAME="+c.owner.name)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("pgcluster: %s %s: %w: %s", name, args[len(args)-1], err, strings.TrimSpace(out.String()))
	}
	return out.Bytes(), nil
}

// Dir returns the data directory.
func (c *Cluster) Dir() string { return c.dir }

// Port returns the TCP port the server listens on.
func (c *Cluster) Port() int { return c.port }

// LogFile returns the path of the server's log.
func (c *Cluster) LogFile() string { return filepath.Join(c.dir, "server.log") }

// Addr returns the server's host:port.
func (c *Cluster) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)) }

// URL returns a libpq URL for database db as the superuser postgres, e.g.
// postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable.
func (c *Cluster) URL(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     c.Addr(),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// shellQuote quotes s for pg_ctl -o, which passes the options through a shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
