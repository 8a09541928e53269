package analytics

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"tubeagency/app/insights"
)

// Caps of ReadReach: the longest line, and the most (video, day) pairs one
// report may hold.
const (
	MaxReachLine = 64 << 10
	MaxReachRows = 2_000_000
)

// Columns of a reach report ReadReach needs.
const (
	colDate        = "date"
	colVideo       = "video_id"
	colImpressions = "video_thumbnail_impressions"
	colCTR         = "video_thumbnail_impressions_ctr"
)

// lineCap fails a line longer than MaxReachLine.
type lineCap struct {
	r    io.Reader
	line int
}

func (l *lineCap) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.line = 0
		} else if l.line++; l.line > MaxReachLine {
			return i, fmt.Errorf("read reach report: a line is longer than %d KB", MaxReachLine>>10)
		}
	}
	return n, err
}

// ReadReach reads a channel_reach_basic_a1 report: a CSV with a header
// naming its columns (date as YYYYMMDD, video_id,
// video_thumbnail_impressions, video_thumbnail_impressions_ctr as a ratio,
// and other dimensions such as the traffic source). Rows of the same video
// and day are added up, the rate weighted by impressions, and returned
// sorted by day and video. Every value is checked; a bad one fails the
// whole report, naming its line.
func ReadReach(r io.Reader) ([]insights.DailyReach, error) {
	cr := csv.NewReader(bufio.NewReaderSize(&lineCap{r: r}, 64<<10))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return []insights.DailyReach{}, nil // a day without impressions
	}
	if err != nil {
		return nil, fmt.Errorf("read reach report header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, n := range []string{colDate, colVideo, colImpressions, colCTR} {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("read reach report: the header lacks %s", n)
		}
	}
	type key struct{ day, video string }
	type sum struct{ impressions, clicks float64 }
	sums := map[key]*sum{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read reach report: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, fmt.Errorf("read reach report: line %d has %d fields, the header %d", line, len(rec), len(header))
		}
		d, err := time.Parse("20060102", rec[col[colDate]])
		if err != nil {
			return nil, fmt.Errorf("read reach report: line %d has a bad date", line)
		}
		id := rec[col[colVideo]]
		if !videoIDRe.MatchString(id) {
			return nil, fmt.Errorf("read reach report: line %d has a bad video id", line)
		}
		imp, err := strconv.ParseInt(rec[col[colImpressions]], 10, 64)
		if err != nil || imp < 0 || imp > 1e12 {
			return nil, fmt.Errorf("read reach report: line %d has a bad number of impressions", line)
		}
		ctr, err := strconv.ParseFloat(rec[col[colCTR]], 64)
		if err != nil || math.IsNaN(ctr) || ctr < 0 || ctr > 1 {
			return nil, fmt.Errorf("read reach report: line %d has a click-through rate that is not a ratio between 0 and 1", line)
		}
		k := key{d.Format(insights.DayLayout), id}
		s := sums[k]
		if s == nil {
			if len(sums) == MaxReachRows {
				return nil, fmt.Errorf("read reach report: more than %d videos and days", MaxReachRows)
			}
			s = &sum{}
			sums[k] = s
		}
		s.impressions += float64(imp)
		s.clicks += float64(imp) * ctr
	}
	out := make([]insights.DailyReach, 0, len(sums))
	for k, s := range sums {
		r := insights.DailyReach{VideoID: k.video, Day: k.day, Impressions: int64(s.impressions)}
		if s.impressions > 0 {
			r.CTR = s.clicks / s.impressions * 100
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Day != out[j].Day {
			return out[i].Day < out[j].Day
		}
		return out[i].VideoID < out[j].VideoID
	})
	return out, nil
}
