package render

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ebuSummary is one ebur128 filter's end-of-stream summary.
type ebuSummary struct {
	IntegratedLUFS float64 // -Inf for silence
	RangeLU        float64
	TruePeakDBFS   float64 // -Inf for silence
}

var errNoSummary = errors.New("ffmpeg printed no loudness summary")

// maxSummaryLog caps the log parseEBUR128 reads: its tail holds the summaries.
const maxSummaryLog = 1 << 20

// parseEBUR128 reads the summaries the ebur128 filters of a graph print at
// the end ("[Parsed_ebur128_3 @ 0x…] Summary:" then "I: -20.9 LUFS",
// "LRA: 0.9 LU", "Peak: -1.4 dBFS"), in the order of the filters in the
// graph.
func parseEBUR128(log string) ([]ebuSummary, error) {
	if len(log) > maxSummaryLog {
		log = log[len(log)-maxSummaryLog:]
	}
	type found struct {
		index int
		s     ebuSummary
	}
	var all []found
	var cur *found
	section := ""
	for _, line := range strings.Split(log, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[Parsed_ebur128_") && strings.HasSuffix(t, "Summary:") {
			num := strings.TrimPrefix(t, "[Parsed_ebur128_")
			num, _, _ = strings.Cut(num, " ")
			idx, err := strconv.Atoi(num)
			if err != nil || idx < 0 {
				cur = nil
				continue
			}
			all = append(all, found{index: idx, s: ebuSummary{IntegratedLUFS: math.NaN(), RangeLU: math.NaN(), TruePeakDBFS: math.NaN()}})
			cur = &all[len(all)-1]
			section = ""
			continue
		}
		if cur == nil {
			continue
		}
		if strings.HasPrefix(t, "[") {
			cur = nil // another filter's log line: this summary is over
			continue
		}
		switch {
		case strings.HasSuffix(t, ":") && !strings.Contains(strings.TrimSuffix(t, ":"), ":"):
			section = strings.TrimSuffix(t, ":")
			continue
		}
		key, value, ok := strings.Cut(t, ":")
		if !ok {
			continue
		}
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil || math.IsNaN(v) {
			continue
		}
		switch {
		case section == "Integrated loudness" && key == "I":
			cur.s.IntegratedLUFS = v
		case section == "Loudness range" && key == "LRA":
			cur.s.RangeLU = v
		case section == "True peak" && key == "Peak":
			cur.s.TruePeakDBFS = v
		}
	}
	// ffmpeg may build a graph once to probe it and tear it down, which
	// prints an empty summary first: the last summary of each filter counts.
	last := map[int]found{}
	for _, f := range all {
		last[f.index] = f
	}
	all = all[:0]
	for _, f := range last {
		all = append(all, f)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].index < all[j].index })
	out := make([]ebuSummary, 0, len(all))
	for _, f := range all {
		if math.IsNaN(f.s.IntegratedLUFS) {
			return nil, fmt.Errorf("%w: summary of ebur128_%d has no integrated loudness", errNoSummary, f.index)
		}
		if math.IsNaN(f.s.TruePeakDBFS) {
			f.s.TruePeakDBFS = math.Inf(-1)
		}
		if math.IsNaN(f.s.RangeLU) {
			f.s.RangeLU = 0
		}
		out = append(out, f.s)
	}
	if len(out) == 0 {
		return nil, errNoSummary
	}
	return out, nil
}
