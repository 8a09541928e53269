package app

import (
	"context"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"tubeagency/internal/store"
)

// An export's file name keeps the title's letters in any script (never a
// hyphen for "ç"), and a long title is cut between words, not in one.
func TestExportFileNameKeepsLettersAndWholeWords(t *testing.T) {
	long := "Como organizar as finanças pessoais da família inteira sem planilhas complicadas nem aplicativos caros em 2026"
	for title, want := range map[string]string{
		"6 erros de finanças pessoais que todo iniciante comete": "6-erros-de-finanças-pessoais-que-todo-iniciante-comete",
		"Ça coûte combien ? L'été à Zürich":                      "ça-coûte-combien-l-été-à-zürich",
		"東京の夜 | 怪談":                                              "東京の夜-怪談",
		"Ночной автобус: легенды":                                "ночной-автобус-легенды",
		// NFD input (a decomposed "ç") comes out composed.
		"financ\u0327as": "finanças",
		"?!… — ///":      "",
		long:             "como-organizar-as-finanças-pessoais-da-família-inteira-sem-planilhas-complicadas",
		// character 80 inside "descomplicadas": the name ends before it
		"Como organizar as finanças pessoais da família inteira sem planilhas descomplicadas": "como-organizar-as-finanças-pessoais-da-família-inteira-sem-planilhas",
	} {
		got := fileBase(title)
		if got != want {
			t.Errorf("fileBase(%q) = %q, want %q", title, got, want)
		}
		if n := utf8.RuneCountInString(got); n > maxFileBase {
			t.Errorf("fileBase(%q) is %d characters", title, n)
		}
	}
	// The cut falls where the title has a space: every word of the name is
	// a whole word of the title.
	words := strings.Fields(strings.ToLower(long))
	for i, w := range strings.Split(fileBase(long), "-") {
		if w != words[i] {
			t.Fatalf("word %d of the name is %q, the title's is %q", i, w, words[i])
		}
	}
}

// saveIn answers every save dialog with the offered name in dir, as the
// desktop's TUBEAGENCY_TEST_SAVE_DIR hook does.
type saveIn string

func (d saveIn) OpenFile(context.Context, FileDialog) (string, error) { return "", nil }
func (d saveIn) SaveFile(_ context.Context, fd FileDialog) (string, error) {
	return filepath.Join(string(d), filepath.Base(fd.DefaultName)), nil
}

// Both ways out carry the accented name: the browser's download
// (Content-Disposition with the RFC 5987 UTF-8 name) and the desktop's
// save dialog (the name it offers, and the file written).
func TestExportNameReachesTheDownloadAndTheSaveDialog(t *testing.T) {
	dir := t.TempDir()
	saved := t.TempDir()
	rt, err := Start(context.Background(), Options{DataDir: dir, Mode: "test", Dialogs: saveIn(saved)})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	a := rt.API()
	ch, err := a.CreateChannel(ChannelInput{Name: "Finanças do Zé", Niche: "finanças pessoais", Language: "pt-BR", Audience: "iniciantes", Format: "long-form", Cadence: 2})
	if err != nil {
		t.Fatal(err)
	}
	title := "6 erros de finanças pessoais que todo iniciante comete"
	p, err := a.SavePackage(PackageInput{ChannelID: ch.ID, Status: store.StatusIdea, Topic: title, Title: title})
	if err != nil {
		t.Fatal(err)
	}
	want := "6-erros-de-finanças-pessoais-que-todo-iniciante-comete"

	mux := http.NewServeMux()
	for pattern, h := range rt.HTTPHandlers() {
		mux.Handle(pattern, h)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for format, ext := range map[string]string{"markdown": ".md", "json": ".json"} {
		res, err := http.Get(srv.URL + "/api/export/" + p.ID + "/" + format)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		cd := res.Header.Get("Content-Disposition")
		kind, params, err := mime.ParseMediaType(cd)
		if err != nil || kind != "attachment" || params["filename"] != want+ext {
			t.Fatalf("%s: Content-Disposition %q: %q %v, %v", format, cd, kind, params, err)
		}
		if !strings.Contains(cd, "filename*=utf-8''") {
			t.Fatalf("%s: no UTF-8 name for browsers: %q", format, cd)
		}

		f, err := a.StudioExportSave(p.ID, format)
		if err != nil || f.Name != want+ext {
			t.Fatalf("%s: saved %+v, %v", format, f, err)
		}
		b, err := os.ReadFile(filepath.Join(saved, want+ext))
		if err != nil || len(b) != f.Bytes || !strings.Contains(string(b), title) {
			t.Fatalf("%s: the saved file: %d bytes, %v", format, len(b), err)
		}
	}
}
