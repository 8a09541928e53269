// Command devstack runs the test Supabase stand-in (a throwaway PostgreSQL
// 15 with the shipped schema, behind the PostgREST/GoTrue gateway) for the
// browser end-to-end tests. It prints one JSON line {"url","anon_key"} and
// runs until stdin closes or it receives SIGTERM/SIGINT.
//
//	go run ./sync/internal/devstack
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the pgx driver

	"tubeagency/sync/internal/gateway"
	"tubeagency/sync/internal/pgtest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

func run() error {
	pg, err := pgtest.Start()
	if err != nil {
		return err
	}
	defer func() { _ = pg.Stop(); pg.Cleanup() }()
	const db = "tubeagency_template" // the database that already holds the schema
	g, err := gateway.New(context.Background(), gateway.Options{DSN: pg.DSN("authenticator", db), AdminDSN: pg.DSN("postgres", db)})
	if err != nil {
		return err
	}
	defer g.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: g}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	line, _ := json.Marshal(map[string]string{"url": "http://" + ln.Addr().String(), "anon_key": g.AnonKey()})
	fmt.Println(string(line))

	admin, err := sql.Open("pgx", pg.DSN("postgres", db))
	if err != nil {
		return err
	}
	defer admin.Close()
	done := make(chan struct{}, 2)
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			if _, err := admin.Exec(sc.Text()); err != nil {
				fmt.Println("error:", err)
			} else {
				fmt.Println("ok")
			}
		}
		done <- struct{}{}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-done:
	case <-sig:
	}
	return nil
}
