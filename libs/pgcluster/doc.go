// Package pgcluster starts and stops a throwaway PostgreSQL cluster from the
// PostgreSQL binaries installed on the machine (initdb, pg_ctl), for tests and
// for the local launcher. The cluster listens on 127.0.0.1 only, trusts every
// local connection and is tuned for speed over durability (fsync off).
//
// When the caller is root (as in many containers), the binaries run as the
// "postgres" OS user, because initdb and postgres refuse to run as root.
package pgcluster
