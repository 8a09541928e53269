// Command fakegoogle runs the fake Google OAuth and YouTube Data API server
// for the end-to-end tests, which point `tubeagency serve` at it with
// TUBEAGENCY_GOOGLE_ENDPOINT. It is a test tool: it is never built into the
// app.
//
// It prints one JSON line, {"url", "client_id", "client_secret"}, once it
// listens, then reads commands from stdin, one JSON object a line, and
// answers each with a JSON line:
//
//	{"inject": {"op": "videos.insert", "kind": "quota"}}   the next call fails so
//	{"slow": 1500}                  each upload request pauses that many ms halfway
//	{"videos": true}                the uploaded videos (id, bytes, metadata)
//
// It exits when stdin closes or on SIGTERM.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"tubeagency/app/internal/fakegoogle"
)

type command struct {
	Inject *struct {
		Op    string `json:"op"`
		Kind  string `json:"kind"`
		Times int    `json:"times"`
	} `json:"inject"`
	Slow   *int `json:"slow"`
	Videos bool `json:"videos"`
}

var kinds = map[string]fakegoogle.FaultKind{
	"server": fakegoogle.ServerError, "cut": fakegoogle.CutBody, "gone": fakegoogle.SessionGone,
	"quota": fakegoogle.QuotaExceeded, "upload_limit": fakegoogle.UploadLimitExceeded, "unauthorized": fakegoogle.Unauthorized,
}

func main() {
	s := fakegoogle.New()
	defer s.Close()
	out := json.NewEncoder(os.Stdout)
	_ = out.Encode(map[string]string{"url": s.URL, "client_id": s.ClientID, "client_secret": s.ClientSecret})
	done := make(chan struct{})
	go func() {
		defer close(done)
		in := bufio.NewScanner(os.Stdin)
		in.Buffer(make([]byte, 64<<10), 64<<10)
		for in.Scan() {
			var c command
			if err := json.Unmarshal(in.Bytes(), &c); err != nil {
				_ = out.Encode(map[string]string{"error": err.Error()})
				continue
			}
			switch {
			case c.Inject != nil:
				k, ok := kinds[c.Inject.Kind]
				if !ok {
					_ = out.Encode(map[string]string{"error": "unknown fault kind " + c.Inject.Kind})
					continue
				}
				s.Inject(fakegoogle.Fault{Op: c.Inject.Op, Kind: k, Times: c.Inject.Times, After: fakegoogle.ChunkUnit})
			case c.Slow != nil:
				d := time.Duration(*c.Slow) * time.Millisecond
				if d <= 0 {
					s.OnPartial(nil)
				} else {
					s.OnPartial(func(fakegoogle.Chunk) { time.Sleep(d) })
				}
			case c.Videos:
				var vs []map[string]any
				for _, v := range s.Videos() {
					vs = append(vs, map[string]any{"id": v.ID, "bytes": len(v.Bytes), "sha256": fakegoogle.Sum(v.Bytes),
						"metadata": v.Metadata, "thumbnail": len(v.Thumbnail), "captions": len(v.Captions)})
				}
				_ = out.Encode(map[string]any{"videos": vs})
				continue
			}
			_ = out.Encode(map[string]bool{"ok": true})
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	select {
	case <-sig:
	case <-done:
	}
	fmt.Fprintln(os.Stderr, "fakegoogle: stopped")
}
