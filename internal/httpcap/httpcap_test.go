package httpcap

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

func serve(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestBodiesUpToTheCapPassWhole(t *testing.T) {
	for _, n := range []int{0, 1, 999, 1000} {
		want := bytes.Repeat([]byte("x"), n)
		url := serve(t, func(w http.ResponseWriter, r *http.Request) { w.Write(want) })
		resp, err := Client(nil, 1000).Get(url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d bytes: read %d, %v", n, len(got), err)
		}
	}
}

func TestALongerBodyIsAnError(t *testing.T) {
	// Chunked, so the length is unknown until the end.
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		for range 20 {
			w.Write(bytes.Repeat([]byte("y"), 100))
			w.(http.Flusher).Flush()
		}
	})
	resp, err := Client(nil, 1000).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if !errors.Is(err, ErrTooLarge) || len(got) != 1000 {
		t.Fatalf("read %d bytes, err %v; want 1000 and ErrTooLarge", len(got), err)
	}
}

func TestADeclaredLengthOverTheCapIsRefusedBeforeReading(t *testing.T) {
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(5000))
		w.Write(bytes.Repeat([]byte("z"), 5000))
	})
	req, _ := http.NewRequest(http.MethodGet, url+"/v3/channels?key=secret-key", nil)
	_, err := (&Transport{Max: 1000}).RoundTrip(req)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if bytes.Contains([]byte(err.Error()), []byte("secret-key")) {
		t.Fatalf("the error quotes the query's key: %v", err)
	}
}
