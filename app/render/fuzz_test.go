package render

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func FuzzParseProgress(f *testing.F) {
	f.Add("frame=30\nout_time_us=1000000\nout_time=00:00:01.000000\nspeed=2.5x\nprogress=continue\n")
	f.Add("out_time_ms=-9223372036854775808\nout_time=99:59:59.999999\nprogress=end\n")
	f.Add("out_time_us=N/A\nspeed=N/A\nprogress=continue\n")
	f.Add("out_time=1:2\nframe=-1\nprogress=\n=\n")
	f.Fuzz(func(t *testing.T, in string) {
		r := strings.NewReader(in)
		parseProgress(r, func(rep ffReport) {
			if rep.OutTime < -1 || rep.Frame < 0 || rep.Speed < 0 || math.IsNaN(rep.Speed) {
				t.Fatalf("impossible report %+v", rep)
			}
		})
		if r.Len() != 0 {
			t.Fatalf("%d bytes left unread", r.Len())
		}
	})
}

func FuzzDecodeManifest(f *testing.F) {
	m := Manifest{Version: ManifestVersion, PackageID: "p", Sentences: []SentenceTiming{{Text: "a", Start: 0, End: 1}},
		Stages: map[string]Stage{StageVoice: {Hash: "h"}}, Media: map[string]string{"a|1|2": ""}}
	b, _ := m.encode()
	f.Add(b)
	f.Add([]byte(`{"version":1,"sentences":[{"start":-1,"end":0}]}`))
	f.Add([]byte(`{"version":1}{"version":1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := DecodeManifest(bytes.NewReader(in))
		if err != nil {
			return
		}
		if m.Version != ManifestVersion {
			t.Fatalf("version %d accepted", m.Version)
		}
		for _, s := range m.Sentences {
			if s.End < s.Start || s.Start < 0 {
				t.Fatalf("sentence %+v accepted", s)
			}
		}
		// What was accepted encodes again.
		if _, err := json.Marshal(m); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseEBUR128(f *testing.F) {
	f.Add("[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -20.9 LUFS\n\n  True peak:\n    Peak:       -1.4 dBFS\n")
	f.Add("[Parsed_ebur128_9999999999999999999 @ x] Summary:\n  Integrated loudness:\n    I: nan LUFS\n")
	f.Add("[Parsed_ebur128_1 @ x] Summary:\n  Integrated loudness:\n    I: -inf LUFS\n  True peak:\n    Peak: inf dBFS\n")
	f.Fuzz(func(t *testing.T, in string) {
		sums, err := parseEBUR128(in)
		if err != nil {
			return
		}
		if len(sums) == 0 {
			t.Fatal("no summaries and no error")
		}
		for _, s := range sums {
			if math.IsNaN(s.IntegratedLUFS) || math.IsNaN(s.TruePeakDBFS) || math.IsNaN(s.RangeLU) {
				t.Fatalf("NaN in %+v", s)
			}
		}
	})
}

func FuzzReadWAVHeader(f *testing.F) {
	good := append(wavHeader(16000, 8), make([]byte, 8)...)
	f.Add(good)
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00\x00\x7d\x00\x00\x02\x00\x10\x00data\xff\xff\xff\xff"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEdata\x04\x00\x00\x00abcd"))
	f.Fuzz(func(t *testing.T, in []byte) {
		w, err := readWAVHeader(bytes.NewReader(in), int64(len(in)))
		if err != nil {
			return
		}
		if w.DataOffset < 12 || w.DataBytes < 0 || w.DataOffset+w.DataBytes > int64(len(in)) || w.BlockAlign <= 0 ||
			w.DataBytes%int64(w.BlockAlign) != 0 || w.SampleRate <= 0 {
			t.Fatalf("impossible header %+v for %d bytes", w, len(in))
		}
	})
}

func FuzzParseProbe(f *testing.F) {
	f.Add([]byte(`{"streams":[{"codec_type":"video","width":1920,"height":1080},{"codec_type":"audio"}]}`))
	f.Add([]byte(`{"streams":[{"codec_type":"video","width":-5,"height":99999999}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := parseProbe(in)
		if err != nil {
			return
		}
		if p.width < 0 || p.height < 0 || p.width > 1<<15 || p.height > 1<<15 || (p.width == 0) != (p.height == 0) {
			t.Fatalf("impossible probe %+v", p)
		}
	})
}
