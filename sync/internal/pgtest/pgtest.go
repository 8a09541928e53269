// Package pgtest runs a throwaway PostgreSQL 15 cluster for tests, shaped
// like a Supabase database: the roles anon, authenticated and service_role
// (NOLOGIN, granted to the login role authenticator), the auth schema with
// auth.users and auth.uid(), and then the schema users apply
// (sync/schema/*.sql), so the tests exercise the very file users run.
//
// Start it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &srv)) }
//
// Each test gets its own database cloned from a template (NewDatabase), so
// tests do not see each other's rows.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the pgx driver

	"tubeagency/sync/schema"
)

// BinDir is where Debian installs PostgreSQL 15.
const BinDir = "/usr/lib/postgresql/15/bin"

// AuthenticatorPassword is the password of the login role the gateway uses.
const AuthenticatorPassword = "authenticator-test-password"

const template = "tubeagency_template"

// Server is a running cluster.
type Server struct {
	Dir  string // data and socket directory
	Port int

	data   string
	runAs  string // "postgres" when running as root, "" otherwise
	nextDB atomic.Int64

	mu        sync.Mutex
	templates map[int]string // schema files applied (by number) → template database
}

// supabaseShim creates what a Supabase project already has before a user
// applies the schema.
const supabaseShim = `
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN NOINHERIT; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN NOINHERIT; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticator') THEN
    CREATE ROLE authenticator LOGIN NOINHERIT PASSWORD '` + AuthenticatorPassword + `';
  END IF;
END $$;
GRANT anon, authenticated, service_role TO authenticator;
CREATE SCHEMA IF NOT EXISTS auth;
CREATE TABLE IF NOT EXISTS auth.users (
  id uuid PRIMARY KEY,
  email text UNIQUE NOT NULL,
  encrypted_password text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS auth.refresh_tokens (
  token text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
  revoked boolean NOT NULL DEFAULT false,
  parent text,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Supabase's own definitions: the claim settings may be unset or empty.
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
CREATE OR REPLACE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
`

// Main starts a cluster, stores it in *srv, runs the tests and stops the
// cluster. It returns the exit code for os.Exit.
func Main(m *testing.M, srv **Server) int {
	s, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	*srv = s
	code := m.Run()
	if err := s.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
	}
	s.Cleanup()
	return code
}

// Cleanup removes the cluster's directory; call it after Stop.
func (s *Server) Cleanup() { _ = os.RemoveAll(s.Dir) }

// Start initialises a cluster in a new temporary directory, starts it on a
// free loopback port and prepares the template database.
func Start() (*Server, error) {
	if _, err := os.Stat(filepath.Join(BinDir, "initdb")); err != nil {
		return nil, fmt.Errorf("postgresql 15 is not installed (apt-get install postgresql-15): %w", err)
	}
	reapStale()
	dir, err := os.MkdirTemp("", "tubeagency-pg-*")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, data: filepath.Join(dir, "data")}
	if os.Geteuid() == 0 {
		s.runAs = "postgres"
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, err
		}
	}
	if out, err := s.run("initdb", "-D", s.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "-N"); err != nil {
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	if s.Port, err = freePort(); err != nil {
		return nil, err
	}
	if err := s.start(); err != nil {
		return nil, err
	}
	if err := s.prepareTemplate(); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// reapStale stops and removes clusters whose test process died without
// stopping them (killed, or timed out): pg_ctl detaches the server, so it
// would otherwise outlive the test.
func reapStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "tubeagency-pg-*"))
	for _, dir := range dirs {
		raw, err := os.ReadFile(filepath.Join(dir, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil || syscall.Kill(pid, 0) == nil || !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			continue // the owner still runs
		}
		stale := &Server{Dir: dir, data: filepath.Join(dir, "data")}
		if os.Geteuid() == 0 {
			stale.runAs = "postgres"
		}
		if _, err := os.Stat(filepath.Join(stale.data, "postmaster.pid")); err == nil {
			_ = stale.Stop()
		}
		_ = os.RemoveAll(dir)
	}
}

func (s *Server) run(bin string, args ...string) ([]byte, error) {
	path := filepath.Join(BinDir, bin)
	var cmd *exec.Cmd
	if s.runAs != "" {
		cmd = exec.Command("runuser", append([]string{"-u", s.runAs, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = s.Dir
	return cmd.CombinedOutput()
}

func (s *Server) start() error {
	// fsync=off is safe for Restart's immediate stop (the OS keeps what was
	// written); synchronous_commit must stay on, or commits acknowledged to
	// clients could vanish in the restart.
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100", s.Port, s.Dir)
	if out, err := s.run("pg_ctl", "-D", s.data, "-w", "-l", filepath.Join(s.Dir, "log"), "-o", opts, "start"); err != nil {
		return fmt.Errorf("pg_ctl start: %w: %s", err, out)
	}
	return nil
}

// Stop stops the cluster.
func (s *Server) Stop() error {
	if out, err := s.run("pg_ctl", "-D", s.data, "-w", "-m", "immediate", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s", err, out)
	}
	return nil
}

// Restart stops the cluster abruptly (open connections break mid-statement)
// and starts it again on the same port.
func (s *Server) Restart() error {
	if err := s.Stop(); err != nil {
		return err
	}
	return s.start()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// DSN is a connection string for database db as role user (superuser
// "postgres", or "authenticator").
func (s *Server) DSN(user, db string) string {
	pw := ""
	if user == "authenticator" {
		pw = " password=" + AuthenticatorPassword
	}
	return fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=%s sslmode=disable%s", s.Port, user, db, pw)
}

func (s *Server) prepareTemplate() error {
	_, err := s.template(0)
	return err
}

// template returns the template database holding the Supabase shim and the
// schema files numbered up to upTo (0: all of them), creating it once.
func (s *Server) template(upTo int) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name, ok := s.templates[upTo]; ok {
		return name, nil
	}
	name := template
	if upTo > 0 {
		name = fmt.Sprintf("%s_%d", template, upTo)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", s.DSN("postgres", "postgres"))
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	db, err := sql.Open("pgx", s.DSN("postgres", name))
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, supabaseShim); err != nil {
		return "", fmt.Errorf("supabase roles: %w", err)
	}
	files, err := schema.Files()
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if upTo > 0 && f.Number > upTo {
			break
		}
		if _, err := db.ExecContext(ctx, f.SQL); err != nil {
			return "", fmt.Errorf("apply %s: %w", f.Name, err)
		}
	}
	if s.templates == nil {
		s.templates = map[int]string{}
	}
	s.templates[upTo] = name
	return name, nil
}

// NewDatabase creates a fresh database holding the applied schema and
// returns its name. It is dropped when t ends.
func (s *Server) NewDatabase(tb testing.TB) string {
	tb.Helper()
	return s.NewDatabaseAt(tb, 0)
}

// NewDatabaseAt is NewDatabase with the schema files numbered up to upTo
// applied (0: all), for tests of projects that have not applied the newer
// files yet and of applying them over data.
func (s *Server) NewDatabaseAt(tb testing.TB, upTo int) string {
	tb.Helper()
	tpl, err := s.template(upTo)
	if err != nil {
		tb.Fatal(err)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.nextDB.Add(1))
	ctx := context.Background()
	admin, err := sql.Open("pgx", s.DSN("postgres", "postgres"))
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tpl); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", s.DSN("postgres", "postgres"))
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return name
}

// Admin opens a superuser connection pool to db, closed when tb ends.
func (s *Server) Admin(tb testing.TB, db string) *sql.DB {
	tb.Helper()
	conn, err := sql.Open("pgx", s.DSN("postgres", db))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}
