package server

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// MinTokenLength is the shortest token serve mode accepts: 32 characters,
// which a person cannot guess and a script cannot search online.
const MinTokenLength = 32

// GenerateToken returns a random token of 43 URL-safe characters (256 bits).
func GenerateToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CheckAddr refuses to listen beyond loopback without a token, and refuses
// tokens too short to protect anything.
func CheckAddr(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: want host:port, for example 127.0.0.1:7777", addr)
	}
	if token != "" {
		if len(token) < MinTokenLength {
			return fmt.Errorf("--token is %d characters long: use at least %d (run with --token generate to get a strong one)", len(token), MinTokenLength)
		}
		return nil
	}
	if isLoopbackHost(host) {
		return nil
	}
	return fmt.Errorf("--addr %q listens beyond this computer: set --token so that only you can use it (--token generate makes one)", addr)
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hostAllowed reports whether the Host header names this server as a
// browser on this computer would: 127.0.0.1, localhost, [::1] or the
// address it was told to listen on, with the port the connection arrived
// on. Any other name reached this loopback server through DNS rebinding
// (a page that made its own name resolve to 127.0.0.1) and is refused.
func (s *Server) hostAllowed(r *http.Request) bool {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		// No port in Host: only port 80 may omit it.
		host, port = r.Host, "80"
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if local != nil {
		lhost, lport, err := net.SplitHostPort(local.String())
		if err != nil || lport != port {
			return false
		}
		if host == strings.ToLower(lhost) {
			return true
		}
	}
	switch host {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return s.opts.Host != "" && host == strings.ToLower(s.opts.Host)
}

// originAllowed reports whether the Origin header (when sent) is this
// server itself: same scheme, host and port.
func originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Path != "" || u.RawQuery != "" || u.User != nil {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return u.Scheme == scheme && strings.EqualFold(u.Host, r.Host)
}

// crossSite reports a request a browser made on behalf of another site
// (Sec-Fetch-Site), other than the user following a link to a page.
func crossSite(r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	if site != "cross-site" && site != "same-site" {
		return false
	}
	return r.Header.Get("Sec-Fetch-Mode") != "navigate" || r.Method != http.MethodGet || strings.HasPrefix(r.URL.Path, "/api/")
}
