# Tube Agency. `make run` sets everything up and opens the app; `make test`
# sets up and runs every test. Both work on a fresh Debian machine.

SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
TAGS := desktop,production,webkit2_41
LDFLAGS := -s -w -X tubeagency/app.Version=$(VERSION)
BIN := build/bin/tubeagency
DATA_DIR ?=
ADDR ?= 127.0.0.1:7777
# Go sources found on disk, not through git: a tree without git (a release
# tarball, a minimal machine) is checked the same way.
GOFILES = $(shell find . -name '*.go' -not -path './frontend/node_modules/*' -not -path './.git/*')

# Package file names carry the version in each format's own form.
DEB = build/bin/tubeagency_$(shell VERSION=$(VERSION) scripts/version.sh deb)_amd64.deb
SETUP = build/bin/tubeagency_$(patsubst v%,%,$(VERSION))_windows_amd64_setup.exe
# make release: where the files will be published, and the release notes.
RELEASE_URL ?= https://github.com/tubeagency/tubeagency/releases/download/v$(patsubst v%,%,$(VERSION))
NOTES ?=

.PHONY: run build serve bindings bindings-check test test-go test-frontend test-e2e test-desktop bench fuzz lint deps deps-test deps-windows frontend clean \
	package package-linux package-windows test-deb test-windows release test-fresh

run: deps build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		exec ./$(BIN) $(if $(DATA_DIR),--data-dir $(DATA_DIR)); \
	else \
		echo "No display found: starting serve mode instead. Open the URL below in a browser."; \
		exec ./$(BIN) serve --addr $(ADDR) $(if $(DATA_DIR),--data-dir $(DATA_DIR)); \
	fi

serve: deps build
	./$(BIN) serve --addr $(ADDR) $(if $(DATA_DIR),--data-dir $(DATA_DIR))

deps:
	@scripts/install-deps.sh run

deps-test:
	@scripts/install-deps.sh test

deps-windows:
	@scripts/install-deps.sh windows

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm run build

build: frontend
	CGO_ENABLED=1 $(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) .

# The Wails CLI is pinned in go.mod as a tool. It writes the TypeScript
# models and method declarations of the bound Go API into frontend/wailsjs
# (committed; frontend/src/lib/api.ts is their only importer). It needs no
# display: bindings.go describes the API without starting the app.
bindings:
	@out=$$($(GO) tool wails generate module -tags webkit2_41 2>&1) || { echo "$$out"; echo "make bindings: the generator failed"; exit 1; }
	@find frontend/wailsjs -type f -exec chmod 644 {} +

# CI: the bindings in the tree must be what the Go API generates (compared
# with a copy taken first, so it needs no git).
bindings-check:
	@tmp=$$(mktemp -d) && cp -r frontend/wailsjs "$$tmp/before" && $(MAKE) --no-print-directory bindings && \
	if ! diff -r "$$tmp/before" frontend/wailsjs; then rm -rf "$$tmp"; \
		echo "frontend/wailsjs does not match the Go API: run 'make bindings' and commit the result."; exit 1; \
	fi; rm -rf "$$tmp"

test: deps deps-test build lint test-go test-frontend test-e2e test-desktop test-deb test-windows
	@echo "All tests passed."

lint:
	@files="$(GOFILES)"; if [ -z "$$files" ]; then echo "lint: no Go files found: run make from the project folder" >&2; exit 1; fi; \
	out=$$(gofmt -l $$files </dev/null); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod or go.sum is not tidy: run go mod tidy" >&2; $(GO) mod tidy -diff; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags bindings .
	$(GO) tool staticcheck ./...
	@$(MAKE) --no-print-directory bindings-check
	cd frontend && npm run check

test-go:
	CGO_ENABLED=1 $(GO) test -race -timeout 20m ./...

test-frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm test

test-e2e: build
	cd frontend && TUBEAGENCY_BIN=$(CURDIR)/$(BIN) npm run e2e

test-desktop: build
	scripts/desktop-smoke.sh $(BIN)

# Both installable artifacts: the .deb and the Windows installer (with the
# bare tubeagency.exe beside it), in build/bin.
package: package-linux package-windows

package-linux: build
	VERSION=$(VERSION) scripts/package-linux.sh $(BIN)

package-windows: deps-windows frontend
	VERSION=$(VERSION) scripts/package-windows.sh

# Installs the .deb here, runs it and removes it again (root only).
test-deb: package-linux
	VERSION=$(VERSION) scripts/test-deb.sh $(DEB)

# The Windows exe and installer under Wine, in a private prefix.
test-windows: package-windows
	VERSION=$(VERSION) scripts/test-windows.sh build/bin/tubeagency.exe $(SETUP)

# Signs the packages and the raw binaries and writes build/bin/feed.json
# (docs/RELEASING.md): make release VERSION=1.2.0 NOTES=notes.txt with the
# signing key in TUBEAGENCY_SIGNING_KEY(_FILE) and TUBEAGENCY_SIGNING_PASSWORD.
release: package
	$(GO) run ./build/release feed -version $(VERSION) -base-url $(RELEASE_URL) $(if $(NOTES),-notes $(NOTES)) \
		-out build/bin/feed.json linux-amd64=$(BIN) linux-amd64-deb=$(DEB) windows-amd64=build/bin/tubeagency.exe

# The README's two commands in a fresh minimal Debian 12 root (debootstrap),
# with Go and Node copied in. Not part of make test: it takes a while and
# needs root and the Debian mirror. See scripts/test-fresh.sh.
test-fresh:
	scripts/test-fresh.sh

bench:
	scripts/bench.sh

# Every fuzz target for FUZZTIME each (default 60s; FUZZTIME=10m make fuzz).
# `make test` replays their seed corpora and saved crashers as tests.
fuzz:
	scripts/fuzz.sh

clean:
	rm -rf build/bin frontend/dist/assets frontend/dist/index.html test-results rsrc_windows_amd64.syso
