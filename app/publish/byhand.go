package publish

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
)

// MaxURLBytes caps a pasted address.
const MaxURLBytes = 2048

// A video id is 11 characters of URL-safe base64 encoding 64 bits, so its
// last character carries 4 bits and is one of 16 letters.
var pastedIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{10}[AEIMQUYcgkosw048]$`)

var youtubeHosts = map[string]bool{
	"youtube.com": true, "www.youtube.com": true, "m.youtube.com": true, "music.youtube.com": true,
	"youtube-nocookie.com": true, "www.youtube-nocookie.com": true, "studio.youtube.com": true,
}

// ParseVideoURL returns the video id of a YouTube address in any of its
// forms: youtube.com/watch?v=ID (www., m., music.), youtu.be/ID,
// youtube.com/shorts/ID, /live/ID, /embed/ID, /v/ID, studio.youtube.com/video/ID/edit,
// with or without a scheme, and a bare video id.
func ParseVideoURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: the address is empty", ErrInvalidURL)
	}
	if len(s) > MaxURLBytes {
		return "", fmt.Errorf("%w: the address is longer than %d bytes", ErrInvalidURL, MaxURLBytes)
	}
	if pastedIDRe.MatchString(s) {
		return s, nil
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%w: not an address", ErrInvalidURL)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("%w: not a web address", ErrInvalidURL)
	}
	host := strings.ToLower(u.Hostname())
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	var id string
	switch {
	case host == "youtu.be" || host == "www.youtu.be":
		id = segs[0]
	case youtubeHosts[host]:
		switch {
		case len(segs) == 1 && segs[0] == "watch":
			id = u.Query().Get("v")
		case len(segs) >= 2 && (segs[0] == "shorts" || segs[0] == "live" || segs[0] == "embed" || segs[0] == "v" ||
			segs[0] == "video" && host == "studio.youtube.com"):
			id = segs[1]
		default:
			return "", fmt.Errorf("%w: a YouTube address, but not of a video (a channel or a playlist?)", ErrInvalidURL)
		}
	default:
		return "", fmt.Errorf("%w: %s is not YouTube", ErrInvalidURL, clip(host, 64))
	}
	if !pastedIDRe.MatchString(id) {
		return "", fmt.Errorf("%w: %q is not a video id", ErrInvalidURL, clip(id, 32))
	}
	return id, nil
}

// MarkPublished records that packageID was published by hand as the video
// at pasted (any address form ParseVideoURL reads), at the time at (zero
// means now). It returns the state to sync. Pasting again replaces the
// earlier address.
func (db *DB) MarkPublished(ctx context.Context, packageID, channelID, pasted string, m Metadata, at time.Time) (Published, error) {
	if strings.TrimSpace(packageID) == "" {
		return Published{}, fieldErr("package_id", "a package is required")
	}
	if strings.TrimSpace(channelID) == "" {
		return Published{}, fieldErr("channel_id", "a channel is required")
	}
	id, err := ParseVideoURL(pasted)
	if err != nil {
		return Published{}, &FieldError{Field: "url", Message: strings.TrimPrefix(err.Error(), ErrInvalidURL.Error()+": ")}
	}
	now := db.now()
	if at.IsZero() {
		at = now
	}
	m.Normalize()
	if !m.PublishAt.IsZero() && !m.PublishAt.After(at) {
		m.PublishAt = time.Time{} // already past: it is simply published
	}
	meta, _ := json.Marshal(m)
	jobID := uuid.Must(uuid.NewV7()).String()
	err = db.st.RunInTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM publish_jobs WHERE package_id = ? AND by_hand = 1`, packageID); err != nil {
			return fmt.Errorf("mark published: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO publish_jobs (id, package_id, channel_id, state, by_hand, meta, video_id,
			published_at, reported, created_at, updated_at) VALUES (?, ?, ?, 'done', 1, ?, ?, ?, 1, ?, ?)`,
			jobID, packageID, channelID, string(meta), id, at.UnixMilli(), now.UnixMilli(), now.UnixMilli())
		if err != nil {
			return fmt.Errorf("mark published: %w", err)
		}
		// the channel has published: later automatic publishes need no first confirmation
		if _, err := tx.ExecContext(ctx, `INSERT INTO publish_channels (channel_id, confirmed_at, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (channel_id) DO UPDATE SET confirmed_at = CASE WHEN confirmed_at = 0 THEN excluded.confirmed_at ELSE confirmed_at END`,
			channelID, now.UnixMilli(), now.UnixMilli()); err != nil {
			return fmt.Errorf("mark published: %w", err)
		}
		return nil
	})
	if err != nil {
		return Published{}, err
	}
	j, err := db.Job(ctx, jobID)
	if err != nil {
		return Published{}, err
	}
	return j.Published(), nil
}

// ExportInput is a package to lay out for publishing by hand.
type ExportInput struct {
	Name          string // folder name; made safe
	VideoPath     string
	ThumbnailPath string // optional
	CaptionsPath  string // optional .srt
	Meta          Metadata
}

// Export writes a ready folder under dir: the video, thumbnail and SRT, and
// youtube.txt with every field in YouTube Studio's upload order. It is
// written under a temporary name and renamed, so a failure leaves nothing
// half-made; an existing folder of the same name is replaced.
func Export(dir string, in ExportInput) (string, error) {
	in.Meta.Normalize()
	if _, err := checkFile("video_path", in.VideoPath, 0); err != nil {
		return "", err
	}
	if in.ThumbnailPath != "" {
		if _, err := checkFile("thumbnail_path", in.ThumbnailPath, 0); err != nil {
			return "", err
		}
	}
	if in.CaptionsPath != "" {
		if _, err := checkFile("captions_path", in.CaptionsPath, 0, ".srt"); err != nil {
			return "", err
		}
	}
	name := safeName(in.Name)
	if name == "" {
		name = safeName(in.Meta.Title)
	}
	if name == "" {
		name = "video"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".export-*")
	if err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after the rename
	files := map[string]string{"video" + strings.ToLower(filepath.Ext(in.VideoPath)): in.VideoPath}
	if in.ThumbnailPath != "" {
		files["thumbnail"+strings.ToLower(filepath.Ext(in.ThumbnailPath))] = in.ThumbnailPath
	}
	if in.CaptionsPath != "" {
		files["captions.srt"] = in.CaptionsPath
	}
	for dst, src := range files {
		if err := copyFile(src, filepath.Join(tmp, dst)); err != nil {
			return "", fmt.Errorf("export %s: %w", dst, err)
		}
	}
	names := map[string]string{}
	for dst, src := range files {
		names[src] = dst
	}
	text := StudioText(in.Meta, names[in.ThumbnailPath], names[in.CaptionsPath])
	if err := os.WriteFile(filepath.Join(tmp, "youtube.txt"), []byte(text), 0o644); err != nil {
		return "", fmt.Errorf("export youtube.txt: %w", err)
	}
	final := filepath.Join(dir, name)
	if err := os.RemoveAll(final); err != nil {
		return "", fmt.Errorf("export: replace %s: %w", final, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	return final, nil
}

var unsafeRe = regexp.MustCompile(`[^\p{L}\p{N} ._-]+`)

func safeName(s string) string {
	s = unsafeRe.ReplaceAllString(s, "")
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Trim(s, ". ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80])
	}
	return s
}

func copyFile(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// StudioText lays the metadata out in the order YouTube Studio's upload
// dialog asks for it (Details, with "Show more"; Video elements;
// Visibility), each value under its own heading for copying.
func StudioText(m Metadata, thumbnail, captions string) string {
	var b strings.Builder
	section := func(title string) { fmt.Fprintf(&b, "\n=== %s ===\n", title) }
	field := func(name, value string) { fmt.Fprintf(&b, "\n--- %s ---\n%s\n", name, value) }
	b.WriteString("Upload video.* in YouTube Studio (Create → Upload videos), then fill in the fields below in this order.\n")
	section("1. Details")
	field("Title", m.Title)
	field("Description", m.Description)
	if thumbnail != "" {
		field("Thumbnail", "Upload file: "+thumbnail)
	} else {
		field("Thumbnail", "Pick one of YouTube's frames.")
	}
	kids := "No, it's not made for kids"
	if m.MadeForKids {
		kids = "Yes, it's made for kids"
	}
	field("Audience", kids)
	section("Details → Show more")
	altered := "No"
	if m.SyntheticMedia {
		altered = "Yes (the video contains realistic altered or synthetic content, such as an AI voice)"
	}
	field("Altered content", altered)
	field("Tags", strings.Join(m.Tags, ", "))
	lang := m.DefaultLanguage
	if lang == "" {
		lang = "(not set)"
	}
	field("Language and captions certification → Video language", lang)
	field("Category", categoryName(m.CategoryID))
	section("2. Video elements")
	if captions != "" {
		field("Add subtitles", "Upload file → With timing: "+captions+" (language: "+lang+")")
	} else {
		field("Add subtitles", "(none)")
	}
	section("4. Visibility")
	switch {
	case !m.PublishAt.IsZero():
		field("Schedule", m.PublishAt.UTC().Format(time.RFC3339)+" ("+m.PublishAt.Local().Format("Mon 2 Jan 2006 15:04 MST")+" here), then Public")
	default:
		vis := map[Privacy]string{Public: "Public", Unlisted: "Unlisted", Private: "Private"}[m.Privacy]
		field("Save or publish", vis)
	}
	b.WriteString("\nAfter publishing, copy the video's address (Share → Copy) and paste it in Tube Agency to mark the package published.\n")
	return b.String()
}

// categoryName names YouTube's standard categories (videoCategories.list,
// regionCode=US).
func categoryName(id string) string {
	names := map[string]string{"1": "Film & Animation", "2": "Autos & Vehicles", "10": "Music", "15": "Pets & Animals",
		"17": "Sports", "19": "Travel & Events", "20": "Gaming", "22": "People & Blogs", "23": "Comedy",
		"24": "Entertainment", "25": "News & Politics", "26": "Howto & Style", "27": "Education",
		"28": "Science & Technology", "29": "Nonprofits & Activism"}
	if n, ok := names[id]; ok {
		return n
	}
	return "Category " + id
}
