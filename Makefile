# Every go command needs these: the Podman bindings pull in code that
# otherwise wants btrfs headers and gpgme through cgo. Exported, so that
# go commands run by the tests and scripts get them too.
export GOFLAGS := -buildvcs=false -tags=remote,exclude_graphdriver_btrfs,containers_image_openpgp
export CGO_ENABLED := 0

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN := bin/mcsaudit
PODMAN_ENV := scripts/podman-env.sh

.PHONY: all build demo test test-unit bench podman-up podman-down vet clean e2e-selinux

all: build

build:
	go build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/mcsaudit

# Build, start the private Podman with its sample containers, and scan it.
# The service keeps running afterwards for more scans: make podman-down
# stops it.
demo: build
	@url=$$($(PODMAN_ENV) up | tail -n 1) && \
	echo "+ $(BIN) scan --url $$url" && \
	$(BIN) scan --url "$$url" && \
	echo && \
	echo "The private Podman is still running at $$url." && \
	echo "Try: $(BIN) scan --url $$url --format json" && \
	echo "Stop it with: $${MCSAUDIT_PODMAN_DIR:+MCSAUDIT_PODMAN_DIR=$$MCSAUDIT_PODMAN_DIR }make podman-down"

# Unit tests and the integration tests against a real Podman service,
# which the integration tests start and stop themselves (root needed;
# without Podman they skip, unless MCSAUDIT_REQUIRE_PODMAN=1).
test:
	go test -count=1 ./...

# Tests that need no Podman and no root.
test-unit:
	go test -count=1 $$(go list ./... | grep -v /integration)

# Real-kernel tests: boot an SELinux-enforcing Debian guest under QEMU,
# run the scenario containers and mcsaudit in it, and compare the findings
# with the kernel's verdicts. Root only; not part of "make test"; see
# docs/e2e.md.
e2e-selinux:
	e2e/run.sh

vet:
	go vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }

# Man pages (bin/docs/man/man1) and bash, zsh and fish completion scripts
# (bin/docs/completions), generated from the commands' help text. Set
# SOURCE_DATE_EPOCH for a reproducible date in the man pages.
.PHONY: docs
docs:
	go run -ldflags "-X main.version=$(VERSION)" ./cmd/mcsaudit gendocs bin/docs

# Whole-scan timings (real Podman with 200 containers, replayed APIs of
# 1,000 and 10,000 containers) and the Go benchmarks; see docs/benchmarks.md.
bench:
	scripts/bench.sh all

podman-up:
	@$(PODMAN_ENV) up

podman-down:
	@$(PODMAN_ENV) down

clean:
	rm -rf bin
