// Command fakeanalytics runs the fake Google (OAuth, YouTube Data, YouTube
// Analytics and Reporting APIs) as a process, for end-to-end tests that
// drive the app from a browser. It prints "fakegoogle <base URL> <client
// id> <client secret>" on one line, then serves until interrupted.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"tubeagency/app/internal/fakegoogle"
)

func main() {
	n := flag.Int("videos", 30, "videos on the fake channel, one every -every days back from now, every third a Short")
	every := flag.Int("every", 9, "days between uploads")
	jobAge := flag.Duration("reach-job-age", 0, "when set, the channel already has a reach reporting job this old (its daily reports are there)")
	flag.Parse()
	s := fakegoogle.New()
	defer s.Close()
	now := time.Now()
	var vids []fakegoogle.AnalyticsVideo
	for i := 0; i < *n; i++ {
		dur := 600 + 13*i
		if i%3 == 0 {
			dur = 45
		}
		vids = append(vids, fakegoogle.AnalyticsVideo{ID: fmt.Sprintf("vid%08d", i), Title: fmt.Sprintf("Chrono Trigger speedrun part %d", i),
			PublishedAt: now.AddDate(0, 0, -*every*i-4), DurationSec: dur})
	}
	s.SetAnalytics(vids, fakegoogle.DefaultDay, true)
	if *jobAge > 0 {
		s.AddReachJob(now.Add(-*jobAge))
	}
	fmt.Printf("fakegoogle %s %s %s\n", s.URL, s.ClientID, s.ClientSecret)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
}
