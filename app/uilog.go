package app

import "unicode/utf8"

// ReportUIError writes to the app's log a technical error text the
// dashboard received but did not show (it shows a plain sentence in its
// place), with where it arrived ("Settings → Sync"). Both are cut to a
// bounded length and logged as data, never interpreted.
func (a *App) ReportUIError(where, text string) error {
	a.rt.log.Warn("dashboard error", "where", clip(where, 200), "error", clip(text, 2000))
	return nil
}

// clip cuts s to at most n bytes on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
