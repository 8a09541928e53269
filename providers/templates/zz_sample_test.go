package templates

import (
	"context"
	"fmt"
	"os"
	"testing"

	"tubeagency/providers"
)

func TestZZSample(t *testing.T) {
	if os.Getenv("SAMPLE") == "" {
		t.Skip()
	}
	p, _ := New(Options{})
	ch := providers.Channel{ID: "c", Name: "X", Niche: os.Getenv("NICHE"), Audience: os.Getenv("AUD"), Language: os.Getenv("LANG2"), Format: os.Getenv("FMT")}
	for _, task := range []providers.Task{providers.TaskIdeas, providers.TaskTitles, providers.TaskScript, providers.TaskDescription, providers.TaskTags, providers.TaskThumbnail} {
		resp, err := p.Generate(context.Background(), providers.Request{Task: task, Channel: ch, Topic: os.Getenv("TOPIC"), Seed: 7})
		fmt.Printf("==== %s (err %v)\n%s\n", task, err, resp.Text)
	}
}
