package supabase

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/supabase-community/postgrest-go"

	"tubeagency/internal/store"
	cloudsync "tubeagency/sync"
)

var _ cloudsync.ChangesPuller = (*Client)(nil)

// PullFunction is the name of schema 0002's pull function.
const PullFunction = "tubeagency_pull"

// PullChanges calls public.tubeagency_pull: every table named in cursors,
// changes above its cursor, limit at most, in one request. A project
// without the function answers 404 PGRST202, returned as an error that
// errors.Is cloudsync.ErrNoPullFunction.
func (c *Client) PullChanges(ctx context.Context, cursors map[string]int64, limit int, device string) (cloudsync.ChangePage, error) {
	if device != "" && !hexRe.MatchString(device) {
		return cloudsync.ChangePage{}, &cloudsync.Error{Op: "pull changes", Permanent: true, Err: fmt.Errorf("device id %q is not hexadecimal", device)}
	}
	args := map[string]any{"cursors": cursors, "page_limit": limit, "device": device}
	var body string
	err := c.rest(ctx, "pull changes", func(pc *postgrest.Client, _ Session) error {
		body = pc.Rpc(PullFunction, "", args)
		return nil
	})
	var e *cloudsync.Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound && e.Code == "PGRST202" {
		e.Err = cloudsync.ErrNoPullFunction
		e.Message = cloudsync.ErrNoPullFunction.Error()
		return cloudsync.ChangePage{}, e
	}
	if err != nil {
		return cloudsync.ChangePage{}, err
	}
	page, err := DecodePullPage([]byte(body))
	if err != nil {
		// The answer arrived whole (the transport read it) but is not a
		// page: a broken proxy or server. Worth retrying, never a reason
		// to drop anything.
		return cloudsync.ChangePage{}, &cloudsync.Error{Op: "pull changes", Status: http.StatusOK, Code: "malformed_page", Message: err.Error(), Err: err}
	}
	return page, nil
}

// maxPageBytes caps what DecodePullPage accepts, whatever the transport's
// cap: a page of 5,000 rows (the function's largest) of big packages fits.
const maxPageBytes = 256 << 20

// DecodePullPage reads tubeagency_pull's answer:
// {"rows": [{"t": table, "s": seq, "r": row}…], "more": bool, "last": seq}.
// It checks what the syncer relies on: every change names a table and a
// positive sequence number, sequence numbers rise, a row, when present, is
// an object with a text id and hlc, and "last" (the sequence number the
// page covers up to; the last row's when missing) is not below the last
// row's. Numbers in rows decode as float64, as the table-by-table pull
// decodes them.
func DecodePullPage(body []byte) (cloudsync.ChangePage, error) {
	if len(body) > maxPageBytes {
		return cloudsync.ChangePage{}, fmt.Errorf("pull page of %d bytes is over the %d MiB cap", len(body), maxPageBytes>>20)
	}
	var raw struct {
		Rows *[]struct {
			T string          `json:"t"`
			S json.Number     `json:"s"`
			R json.RawMessage `json:"r"`
		} `json:"rows"`
		More bool         `json:"more"`
		Last *json.Number `json:"last"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return cloudsync.ChangePage{}, fmt.Errorf("decode pull page: %w", err)
	}
	if dec.More() {
		return cloudsync.ChangePage{}, errors.New("decode pull page: data after the page")
	}
	if raw.Rows == nil {
		return cloudsync.ChangePage{}, errors.New("decode pull page: no rows list")
	}
	out := cloudsync.ChangePage{More: raw.More, Changes: make([]cloudsync.Change, 0, len(*raw.Rows))}
	var last int64
	for i, r := range *raw.Rows {
		seq, err := r.S.Int64()
		if err != nil || seq <= 0 {
			return cloudsync.ChangePage{}, fmt.Errorf("decode pull page: change %d: sequence %q is not a positive integer", i, r.S)
		}
		if seq <= last {
			return cloudsync.ChangePage{}, fmt.Errorf("decode pull page: change %d: sequence %d after %d", i, seq, last)
		}
		last = seq
		if r.T == "" {
			return cloudsync.ChangePage{}, fmt.Errorf("decode pull page: change %d names no table", i)
		}
		ch := cloudsync.Change{Table: r.T, Seq: seq}
		if len(r.R) > 0 && !bytes.Equal(r.R, []byte("null")) {
			var row store.Row
			if err := json.Unmarshal(r.R, &row); err != nil {
				return cloudsync.ChangePage{}, fmt.Errorf("decode pull page: change %d: row: %w", i, err)
			}
			if row == nil || row.ID() == "" || row.HLC() == "" {
				return cloudsync.ChangePage{}, fmt.Errorf("decode pull page: change %d: a row needs a text id and hlc", i)
			}
			for _, k := range serverColumns {
				delete(row, k)
			}
			ch.Row = row
		}
		out.Changes = append(out.Changes, ch)
	}
	out.Last = last
	if raw.Last != nil {
		v, err := raw.Last.Int64()
		if err != nil || v < 0 {
			return cloudsync.ChangePage{}, fmt.Errorf("decode pull page: last %q is not a sequence number", *raw.Last)
		}
		if v < last {
			return cloudsync.ChangePage{}, fmt.Errorf("decode pull page: last %d below the page's last change %d", v, last)
		}
		out.Last = v
	}
	return out, nil
}

// DecodeTableRows reads PostgREST's answer to a table pull: a JSON list of
// row objects in server_seq order. It checks what the syncer relies on:
// every row is an object with a text id and hlc and a server_seq that is
// an integer above after and above the row before it. The server's own
// columns (user_id, server_seq, synced_at) are dropped from the rows.
// Numbers in rows decode as float64, as the one-request pull decodes them.
// A body over maxPageBytes is refused before decoding.
func DecodeTableRows(body []byte, after int64) ([]cloudsync.RemoteRow, error) {
	if len(body) > maxPageBytes {
		return nil, fmt.Errorf("table page of %d bytes is over the %d MiB cap", len(body), maxPageBytes>>20)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("decode table page: %w", err)
	}
	if raw == nil {
		return nil, errors.New("decode table page: not a list of rows")
	}
	out := make([]cloudsync.RemoteRow, 0, len(raw))
	last := after
	for i, r := range raw {
		var seq struct {
			ServerSeq *json.Number `json:"server_seq"`
		}
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.UseNumber()
		if err := dec.Decode(&seq); err != nil {
			return nil, fmt.Errorf("decode table page: row %d: %w", i, err)
		}
		if seq.ServerSeq == nil {
			return nil, fmt.Errorf("decode table page: row %d has no server_seq", i)
		}
		n, err := seq.ServerSeq.Int64()
		if err != nil || n <= last {
			return nil, fmt.Errorf("decode table page: row %d: server_seq %s is not an integer above %d", i, seq.ServerSeq, last)
		}
		last = n
		var row store.Row
		if err := json.Unmarshal(r, &row); err != nil {
			return nil, fmt.Errorf("decode table page: row %d: %w", i, err)
		}
		if row.ID() == "" || row.HLC() == "" {
			return nil, fmt.Errorf("decode table page: row %d needs a text id and hlc", i)
		}
		for _, k := range serverColumns {
			delete(row, k)
		}
		out = append(out, cloudsync.RemoteRow{Seq: n, Row: row})
	}
	return out, nil
}
