package settings

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzParse loads arbitrary settings files, as a user's editor may leave
// them. It must never panic; what it accepts is valid, and saving it and
// loading it again gives the same settings.
func FuzzParse(f *testing.F) {
	def, err := json.MarshalIndent(Defaults(), "", "  ")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	for _, seed := range []string{
		`{}`, `{"providers":[]}`, `{"providers":[{"name":"groq","enabled":true,"model":"m","base_url":"https://api.example/v1"}]}`,
		`{"providers":[{"name":"groq"},{"name":"groq"}]}`, `{"router":{"cache_mb":-1}}`, `{"unknown":1}`, `[`, `null`,
		`{"providers":[{"name":"x","base_url":"file:///etc/passwd"}]}`, `{"router":{"timeout_seconds":1e308}}`,
		`{"render":{"ffmpeg":"/usr/bin/ffmpeg"}}`, `{"render":{"ffmpeg":"ffmpeg"}}`, `{"render":{}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		st, err := parse(raw)
		if err != nil {
			return
		}
		if err := st.Validate(); err != nil {
			t.Fatalf("parse accepted settings that do not validate: %v", err)
		}
		again, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		back, err := parse(again)
		if err != nil {
			t.Fatalf("saved settings do not load again: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(st, back) {
			t.Fatalf("settings changed on a save and load:\n%+v\n%+v", st, back)
		}
	})
}
