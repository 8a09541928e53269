// Command tubeagency is the Tube Agency desktop app and its headless server.
//
//	tubeagency [--data-dir DIR]                         open the desktop window
//	tubeagency serve [--addr 127.0.0.1:7777] [--token T] [--data-dir DIR]
//	tubeagency sync repair [--data-dir DIR]
//	tubeagency version
package main

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing/fstest"
	"time"

	"tubeagency/app"
	"tubeagency/app/applog"
	"tubeagency/app/server"
	"tubeagency/app/update"
)

//go:embed all:frontend/dist
var frontendDist embed.FS

// processStart is when the process started (from the kernel where it
// says, else when package variables were set, before main runs);
// painted_ms counts from it.
var processStart, _ = processStarted(time.Now())

func main() {
	if generatingBindings {
		os.Exit(generateBindings())
	}
	attachConsole()
	waitForPrevious(10 * time.Second)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// defaultDataDir is the OS user data folder for the app.
func defaultDataDir() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "TubeAgency")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".tubeagency")
	}
	return "TubeAgency"
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Tube Agency: plan, write and voice videos for all your YouTube channels.

Usage:
  tubeagency [--data-dir DIR]          open the desktop window
  tubeagency serve [flags]             run the same app headless, for a browser
      --addr HOST:PORT   where to listen (default 127.0.0.1:7777)
      --token TOKEN      required when listening beyond this computer: at
                         least 32 characters; "--token generate" makes one
  tubeagency sync repair               stamp again, from this computer's clock, the
                                       changes a device with a wrong clock pushed
                                       far into the future (close the app first)
  tubeagency version                   print the version

Every command takes --data-dir DIR (default: `+defaultDataDir()+`)
and --log-level debug|info|warn|error (default: info, or $TUBEAGENCY_LOG_LEVEL).
The log goes to stderr and to DIR/logs/tubeagency.log (10 MB × 5 files).
--update-feed URL|off sets the release feed checked once a day (default:
$TUBEAGENCY_UPDATE_FEED, else `+update.DefaultFeedURL+`);
Settings → About switches the check off for good.
`)
}

// run runs the command line; serve mode stops when ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	global := flag.NewFlagSet("tubeagency", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.Usage = func() {} // printed below: to stdout when asked for, else to stderr
	dataDir := global.String("data-dir", defaultDataDir(), "data folder")
	logLevel := global.String("log-level", os.Getenv("TUBEAGENCY_LOG_LEVEL"), "log level")
	feed := global.String("update-feed", cmp.Or(os.Getenv("TUBEAGENCY_UPDATE_FEED"), update.DefaultFeedURL), "release feed URL, or off")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return 0
		}
		usage(stderr)
		return 2
	}
	rest := global.Args()
	cmd := ""
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "version":
		fmt.Fprintf(stdout, "tubeagency %s (%s, %s/%s)\n", app.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(stderr)
		fs.Usage = func() {}
		addr := fs.String("addr", "127.0.0.1:7777", "listen address")
		token := fs.String("token", os.Getenv("TUBEAGENCY_TOKEN"), "bearer token")
		fs.StringVar(dataDir, "data-dir", *dataDir, "data folder")
		fs.StringVar(logLevel, "log-level", *logLevel, "log level")
		fs.StringVar(feed, "update-feed", *feed, "release feed URL, or off")
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage(stdout)
				return 0
			}
			usage(stderr)
			return 2
		}
		so := startOptions{dataDir: *dataDir, level: *logLevel, feed: *feed, mode: "serve", restart: newRestarter(args)}
		code := serve(ctx, so, *addr, *token, stdout, stderr)
		return so.restart.afterExit(code, stderr)
	case "sync":
		fs := flag.NewFlagSet("sync", flag.ContinueOnError)
		fs.SetOutput(stderr)
		fs.Usage = func() { usage(stderr) }
		fs.StringVar(dataDir, "data-dir", *dataDir, "data folder")
		if len(rest) == 0 || rest[0] != "repair" {
			fmt.Fprintln(stderr, "tubeagency: sync takes one command: repair")
			usage(stderr)
			return 2
		}
		if err := fs.Parse(rest[1:]); err != nil {
			return 2
		}
		return syncRepair(ctx, *dataDir, stdout, stderr)
	case "", "desktop":
		fs := flag.NewFlagSet("desktop", flag.ContinueOnError)
		fs.SetOutput(stderr)
		fs.StringVar(dataDir, "data-dir", *dataDir, "data folder")
		fs.StringVar(logLevel, "log-level", *logLevel, "log level")
		fs.StringVar(feed, "update-feed", *feed, "release feed URL, or off")
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		so := startOptions{dataDir: *dataDir, level: *logLevel, feed: *feed, mode: "desktop", restart: newRestarter(args)}
		code := desktopMain(so, stderr)
		return so.restart.afterExit(code, stderr)
	default:
		fmt.Fprintf(stderr, "tubeagency: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}
}

// dist is the built dashboard, or a page saying how to build it when the
// binary was compiled without it.
func dist() fs.FS {
	sub, err := fs.Sub(frontendDist, "frontend/dist")
	if err != nil {
		panic(err) // fixed at build time
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return fstest.MapFS{"index.html": {Data: []byte(notBuiltPage)}}
	}
	return sub
}

const notBuiltPage = `<!doctype html><meta charset="utf-8"><title>Tube Agency</title>
<p>This binary was built without its dashboard. Build it with <code>make build</code>.</p>`

// openLog opens the log: stderr and <data-dir>/logs/tubeagency.log.
func openLog(dataDir, level string, stderr io.Writer) (*applog.Log, error) {
	lvl, err := applog.ParseLevel(level)
	if err != nil {
		return nil, err
	}
	return applog.Open(applog.Options{Dir: filepath.Join(dataDir, "logs"), Level: lvl, Console: stderr})
}

// startOptions are what serve and the desktop start the app with.
type startOptions struct {
	dataDir, level, mode string
	feed                 string // release feed URL; "off" or "" for none
	restart              *restarter
	dialogs              *dialogs // desktop only
}

// startFailure says why the app did not start, and what to do.
type startFailure struct {
	code int
	why  string // printed after "tubeagency: "; the desktop shows it in a window
}

// startApp checks the data folder, opens the log in it and starts the app.
// The log is closed by the caller after the runtime. When the app does not
// start, the reason is printed to stderr and returned.
func startApp(so startOptions, stderr io.Writer) (*app.Runtime, *applog.Log, *startFailure) {
	fail := func(code int, format string, a ...any) (*app.Runtime, *applog.Log, *startFailure) {
		f := &startFailure{code: code, why: fmt.Sprintf(format, a...)}
		fmt.Fprintf(stderr, "tubeagency: %s\n", f.why)
		return nil, nil, f
	}
	dataDir, level, mode := so.dataDir, so.level, so.mode
	if _, err := applog.ParseLevel(level); err != nil {
		return fail(2, "--log-level: %v", err)
	}
	if err := app.CheckDataDir(dataDir); err != nil {
		return fail(1, "cannot use the data folder %s: %v\nChoose another with --data-dir DIR.", dataDir, errors.Unwrap(err))
	}
	lg, err := openLog(dataDir, level, stderr)
	if err != nil {
		return fail(1, "cannot open the log: %v", err)
	}
	lg.Info("starting", "since_process_start_ms", time.Since(processStart).Milliseconds(), "version", app.Version, "mode", mode, "os", runtime.GOOS, "arch", runtime.GOARCH, "data_dir", dataDir, "log_file", lg.Path)
	opts := app.Options{DataDir: dataDir, Mode: mode, Logger: lg.Logger, LogFile: lg.Path, Restart: so.restart.Restart}
	if so.feed != "off" {
		opts.UpdateFeedURL = so.feed
	}
	if so.dialogs != nil {
		opts.Dialogs, opts.OpenFolder = so.dialogs, so.dialogs.OpenFolder
		opts.Opener = so.dialogs // Google's sign-in opens in the system's browser
		opts.Painted = so.dialogs.painted
	}
	rt, err := app.Start(context.Background(), opts)
	if err == nil {
		lg.Info("app started", "since_process_start_ms", time.Since(processStart).Milliseconds())
	}
	if err != nil {
		if errors.Is(err, app.ErrInUse) {
			// Most often the app opened again while its window is open: the
			// window takes the launch over (desktopMain). Not an error of the
			// running app's, whose log this is too.
			lg.Info("the data folder is in use by another Tube Agency; not starting", "mode", mode)
			lg.Close()
			return fail(1, "cannot start: another Tube Agency (a window or `tubeagency serve`) is using the data folder %s.\n"+
				"Close it first, or choose another folder with --data-dir DIR.", dataDir)
		}
		lg.Error("start", "err", err)
		lg.Close()
		return fail(1, "cannot start: %v\nThe log is in %s.", err, lg.Path)
	}
	return rt, lg, nil
}

func serve(ctx context.Context, so startOptions, addr, token string, stdout, stderr io.Writer) int {
	dataDir := so.dataDir
	generated := token == "generate"
	if generated {
		token = server.GenerateToken()
	}
	if err := server.CheckAddr(addr, token); err != nil {
		fmt.Fprintf(stderr, "tubeagency: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	so.restart.setQuit(cancel)
	rt, lg, failed := startApp(so, stderr)
	if failed != nil {
		return failed.code
	}
	defer lg.Close()
	defer rt.Close()
	host, _, _ := net.SplitHostPort(addr)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "tubeagency: cannot listen on %s: %v\n", addr, err)
		return 1
	}
	h := server.New(server.Options{
		API:         rt.API(),
		Hub:         rt.Hub(),
		FormatError: func(err error) (int, any) { return app.HTTPStatus(err), app.FormatError(err) },
		Static:      dist(),
		Token:       token,
		Host:        host,
		BodyLimit:   app.BodyLimit,
		Handlers:    rt.HTTPHandlers(),
		Logger:      lg.Logger,
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	url := "http://" + ln.Addr().String()
	if isUnspecified(host) {
		url = "http://<this computer's address>:" + port(ln.Addr())
	}
	fmt.Fprintf(stdout, "Tube Agency is serving %s (data: %s)\n", url, dataDir)
	if generated {
		// Printed once: the token is not stored anywhere.
		fmt.Fprintf(stdout, "Your access token (keep it secret; it is shown only now):\n  %s\nOpen this link once in your browser to sign in:\n  %s/?token=%s\n", token, url, token)
	}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "tubeagency: %v\n", err)
		return 1
	}
	return 0
}

// syncRepair runs app.RepairClocks and says what it did.
func syncRepair(ctx context.Context, dataDir string, stdout, stderr io.Writer) int {
	// To the console only: a repair in a folder without a database must
	// not leave a log folder behind.
	lg, err := applog.Open(applog.Options{Console: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "tubeagency: %v\n", err)
		return 1
	}
	rep, err := app.RepairClocks(ctx, dataDir, lg.Logger)
	if err != nil {
		fmt.Fprintf(stderr, "tubeagency: repair clocks: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Clocks repaired in %s: %d pending changes and %d refused changes stamped again, %d rows stamped far ahead queued again.\nThe next sync sends them (start the app, signed in).\n",
		dataDir, rep.Pending, rep.DeadLetters, rep.Rows)
	return 0
}

func isUnspecified(host string) bool {
	ip := net.ParseIP(host)
	return host == "" || ip != nil && ip.IsUnspecified()
}

func port(a net.Addr) string {
	_, p, _ := net.SplitHostPort(a.String())
	return p
}

// hasDisplay reports whether a desktop window can open.
func hasDisplay() bool {
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" {
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

func desktopMain(so startOptions, stderr io.Writer) int {
	dataDir := so.dataDir
	if !hasDisplay() {
		fmt.Fprint(stderr, "tubeagency: no display found, so the desktop window cannot open.\n"+
			"Run it headless instead and open the dashboard in a browser:\n\n    tubeagency serve --data-dir "+dataDir+"\n")
		return 3
	}
	dlg := &dialogs{answerSaveIn: os.Getenv(saveDialogHookEnv), painted: make(chan struct{})}
	if dlg.answerSaveIn != "" {
		fmt.Fprintf(stderr, "tubeagency: %s is set: save dialogs are answered with %s and not shown\n", saveDialogHookEnv, dlg.answerSaveIn)
	}
	so.dialogs = dlg
	so.restart.setQuit(dlg.Quit)
	fixLocaleForWebKit()
	id := instanceID(dataDir)
	rt, lg, failed := startApp(so, stderr)
	if failed != nil {
		// A window says why: a desktop user does not read stderr. When the
		// folder's own window is open, this launch is handed to it instead
		// (it comes to the front) and this process ends there.
		if err := runStartFailure(id, failed.why); err != nil {
			fmt.Fprintf(stderr, "tubeagency: the window could not open: %v\n", err)
		}
		return failed.code
	}
	defer lg.Close()
	if err := runDesktop(rt, dlg, lg.Logger, dist(), id); err != nil {
		lg.Error("window", "err", err)
		fmt.Fprintf(stderr, "tubeagency: the window could not open: %v\n", err)
		return 1
	}
	return 0
}

// fixLocaleForWebKit gives WebKit a language tag it accepts. Under the C or
// POSIX locale (common on servers and minimal systems) WebKit reports the
// language "C", which every Intl and toLocaleString call in the dashboard
// rejects with a RangeError, leaving a blank window. Real locales are left
// alone.
func fixLocaleForWebKit() {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if !isCLocale(v) {
			return
		}
		if name != "LANG" {
			os.Unsetenv(name)
		}
	}
	os.Setenv("LANG", "en_US.UTF-8")
}

func isCLocale(v string) bool {
	base, _, _ := strings.Cut(v, ".")
	return base == "C" || base == "POSIX"
}
