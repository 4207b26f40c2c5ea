package pgcluster

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// RunAsUser is the OS user the binaries run as when the caller is root.
const RunAsUser = "postgres"

// owner is the uid/gid the server runs as; nil means the current user.
type owner struct {
	uid, gid uint32
	name     string
}

// serverOwner returns who must run the binaries: nil unless we are root, then
// the postgres OS user.
func serverOwner() (*owner, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(RunAsUser)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: running as root, so the server must run as OS user %q: %w", RunAsUser, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: uid of %s: %w", RunAsUser, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: gid of %s: %w", RunAsUser, err)
	}
	return &owner{uid: uint32(uid), gid: uint32(gid), name: RunAsUser}, nil
}

// sysProcAttr makes a command run as o (nil: as ourselves), in a process group
// of its own so that a Ctrl-C meant for the caller does not kill pg_ctl half-way
// through starting or stopping the server.
func (o *owner) sysProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if o != nil {
		attr.Credential = &syscall.Credential{Uid: o.uid, Gid: o.gid}
	}
	return attr
}

// chownTree gives dir and everything in it to o.
func (o *owner) chownTree(dir string) error {
	if o == nil {
		return nil
	}
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(path, int(o.uid), int(o.gid)); err != nil {
			return fmt.Errorf("pgcluster: chown %s to %s: %w", path, o.name, err)
		}
		return nil
	})
}

// checkReachable fails, naming the directory, when o cannot search some
// parent of dir (a common snag: a root-owned 0700 temp directory), which would
// otherwise surface as an obscure initdb or pg_ctl error.
func (o *owner) checkReachable(dir string) error {
	if o == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if ok {
			perm := fi.Mode().Perm()
			var can bool
			switch {
			case st.Uid == o.uid:
				can = perm&0o100 != 0
			case st.Gid == o.gid:
				can = perm&0o010 != 0
			default:
				can = perm&0o001 != 0
			}
			if !can {
				return fmt.Errorf("pgcluster: the server runs as OS user %s, which cannot reach %s: %s is mode %v; make it searchable (chmod o+x) or choose another directory",
					o.name, dir, p, perm)
			}
		}
		if parent := filepath.Dir(p); parent == p {
			return nil
		}
	}
}
