package render_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"tubeagency/app/render"
	"tubeagency/app/voice"
	"tubeagency/app/voice/espeak"
)

// childRender renders the job in $RENDER_JOB and prints each progress
// report as a JSON line, for a parent test to watch and kill.
func childRender() int {
	b, err := os.ReadFile(os.Getenv("RENDER_JOB"))
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	var job render.Job
	if err := json.Unmarshal(b, &job); err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	r := render.New(render.Options{Voice: &voice.Chain{Engines: []voice.Engine{&espeak.Client{}}}})
	_, err = r.Render(context.Background(), job, func(p render.Progress) {
		line, _ := json.Marshal(p)
		os.Stdout.Write(append(line, '\n'))
	})
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	fmt.Println("DONE")
	return 0
}

func threeSectionJob(out string) render.Job {
	return render.Job{
		PackageID: "kill-1", Format: render.FormatShorts, Language: "en", Title: "Three quick facts",
		Sections: []render.Section{
			{Heading: "First", Spoken: []string{"Honey never spoils in a sealed jar."}},
			{Heading: "Second", Spoken: []string{"Octopuses have three hearts."}},
			{Heading: "Third", Spoken: []string{"Bananas are berries, strawberries are not."}},
		},
		OutDir: out,
	}
}

func writeJob(t testing.TB, job render.Job) string {
	t.Helper()
	b, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "job.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRenderKilledDuringEncodeResumes(t *testing.T) {
	requireTools(t)
	out := filepath.Join(t.TempDir(), "kill-1")
	work := filepath.Join(out, ".work")
	job := threeSectionJob(out)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RENDER_CHILD=render", "RENDER_JOB="+writeJob(t, job))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	var seen []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		seen = append(seen, line)
		var p struct{ Stage, Detail string }
		_ = json.Unmarshal([]byte(line), &p)
		// The first section's segment is done and the second is encoding.
		if p.Stage == render.StageEncode && p.Detail == "section 2 of 3" && !killed {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !killed || !errors.As(err, &ee) || ee.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed mid-encode (killed=%v, err=%v); it said:\n%s", killed, err, strings.Join(seen, "\n"))
	}

	// The encoder dies with the app (parent-death signal), leaving no orphan.
	deadline := time.Now().Add(10 * time.Second)
	for len(processesIn(work)) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if left := processesIn(work); len(left) > 0 {
		t.Fatalf("processes left running after the kill: %v", left)
	}
	if _, err := os.Stat(filepath.Join(out, render.VideoFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a killed first render published a video")
	}
	firstSegments, _ := filepath.Glob(filepath.Join(work, "seg-000-*.mp4"))
	if len(firstSegments) != 1 {
		t.Fatalf("first section's segment not kept: %v", firstSegments)
	}

	// Restart: voice and captions are reused, the first section too.
	rec := &recorder{}
	var log logBuffer
	var progress progressLog
	m, err := newRenderer(t, rec, &log).Render(context.Background(), job, progress.add)
	if err != nil {
		t.Fatal(err)
	}
	cached := progress.cached()
	if !cached[render.StageVoice] || !cached[render.StageCaptions] || rec.calls.Load() != 0 {
		t.Fatalf("resume redid finished stages: cached %v, %d sentences synthesised", cached, rec.calls.Load())
	}
	runs := log.String()
	if strings.Contains(runs, `op="encode section 1"`) || !strings.Contains(runs, `op="encode section 2"`) || !strings.Contains(runs, `op="encode section 3"`) {
		t.Fatalf("resume encoded the wrong sections:\n%s", runs)
	}
	if temps := tempFiles(t, out); len(temps) > 0 {
		t.Fatalf("temporary files left: %v", temps)
	}
	p := probe(t, filepath.Join(out, render.VideoFile))
	if d := seconds(t, p.Format.Duration); d < m.Seconds-0.5 || d > m.Seconds+0.5 {
		t.Fatalf("resumed video is %.2f s, voice track %.2f s", d, m.Seconds)
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{".lock", ".work", render.CaptionsFile, render.ManifestFile, render.ThumbnailFile, render.VideoFile}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("render folder holds %v, want %v", names, want)
	}

	// Finished once: another run finds everything done.
	var again progressLog
	if _, err := newRenderer(t, rec, nil).Render(context.Background(), job, again.add); err != nil {
		t.Fatal(err)
	}
	if got := again.cached(); len(got) != 4 || rec.calls.Load() != 0 {
		t.Fatalf("after finishing, cached %v and %d syntheses", got, rec.calls.Load())
	}
}

func TestCancelLeavesPublishedOutputs(t *testing.T) {
	out := filepath.Join(t.TempDir(), "short-1")
	rec := &recorder{}
	r := newRenderer(t, rec, nil)
	job := shortJob(out)
	if _, err := r.Render(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	before := published(t, out)

	// An edit: one sentence and a heading change.
	edited := job
	edited.Sections = append([]render.Section(nil), job.Sections...)
	edited.Sections[1] = render.Section{Heading: "The reason", Spoken: []string{"Hunting burns energy quickly.", "Naps restore it."}}

	for _, stage := range []string{render.StageVoice, render.StageEncode} {
		t.Run("cancelled during "+stage, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := r.Render(ctx, edited, func(p render.Progress) {
				if p.Stage == stage && !p.Cached && p.Percent > 0 {
					cancel()
				}
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if left := processesIn(filepath.Join(out, ".work")); len(left) > 0 {
				t.Fatalf("processes still running after Render returned: %v", left)
			}
			if after := published(t, out); !reflect.DeepEqual(after, before) {
				t.Fatalf("cancel changed the published files:\n%v\n%v", before, after)
			}
			if temps := tempFiles(t, out); len(temps) > 0 {
				t.Fatalf("temporary files left: %v", temps)
			}
		})
	}

	// Rendering again finishes the edit, reusing what was done before the cancel.
	calls := rec.calls.Load()
	var progress progressLog
	m, err := r.Render(context.Background(), edited, progress.add)
	if err != nil {
		t.Fatal(err)
	}
	if !progress.cached()[render.StageVoice] || rec.calls.Load() != calls {
		t.Fatalf("voice redone after the cancelled attempt finished it (cached %v)", progress.cached())
	}
	cues := readSRT(t, filepath.Join(out, render.CaptionsFile))
	if len(cues) != 3 || cues[2].text != "Naps restore it." || m.Sections[1].Heading != "The reason" {
		t.Fatalf("edit not published: %+v", cues)
	}
}
