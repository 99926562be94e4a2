# VanThu: two commands do everything on a fresh Debian 12 machine.
#   make run   install what is missing, build, start the embedded PostgreSQL, seed the demo province, serve
#   make test  install what is missing, build, run the whole suite against a real PostgreSQL
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT      ?= swift
SWIFTFLAGS ?=
BIN         = $(shell $(SWIFT) build $(SWIFTFLAGS) --show-bin-path 2>/dev/null)
HOST       ?= 127.0.0.1
PORT       ?= 8080

# Build and run time: OpenSSL, libxml2/xmlsec, zlib, PostgreSQL 15 (server binaries for the
# embedded cluster), fonts with Vietnamese glyphs for signature appearances, OpenSSL's pkcs11
# engine and p11-kit's proxy module for signing with USB tokens.
RUNTIME_PACKAGES := libssl-dev libxml2-dev libxmlsec1-dev libxmlsec1-openssl libpq-dev zlib1g-dev \
                    postgresql postgresql-client openssl fonts-liberation2 ca-certificates \
                    libengine-pkcs11-openssl p11-kit-modules
# Interoperability tools the test suite runs against our output; SoftHSM2 plays a USB token.
TEST_PACKAGES    := qpdf poppler-utils libnss3-tools softhsm2 opensc
PIP_TEST_PACKAGES := pyhanko==0.38.0 pyhanko-certvalidator==0.33.0
# The client's release link (scripts/small-link.sh) trains on a generated PDF under valgrind.
CLI_PACKAGES     := valgrind python3
# RELR=0 builds a client for systems older than glibc 2.36 (Ubuntu 22.04), at ~1.3 MiB more memory.
RELR             ?= 1

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help deps test-deps build run test cli clean-data

help:
	@echo "make run    start VanThu on http://$(HOST):$(PORT) with the demo province"
	@echo "make test   run the whole test suite"

# Installs only what is missing, so a second run touches nothing.
deps:
	@missing=$$(for p in $(RUNTIME_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6 is needed: https://www.swift.org/install/linux/"; exit 1; }

test-deps: deps
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -m pip --version >/dev/null 2>&1 || { $(SUDO) apt-get install -y -qq python3-pip >/dev/null; }
	@python3 -c 'import pyhanko, pyhanko_certvalidator' 2>/dev/null || \
		python3 -m pip install -q $(PIP_TEST_PACKAGES) || \
		python3 -m pip install -q --break-system-packages $(PIP_TEST_PACKAGES)

build: deps
	$(SWIFT) build $(SWIFTFLAGS) --product vanthu-server
	$(SWIFT) build $(SWIFTFLAGS) --product vanthu

# PostgreSQL refuses to run as root, so as root the embedded cluster belongs to the 'postgres'
# user, who must be able to reach the data directory. A checkout under /root (mode 0700) is not
# reachable: then the data goes to /var/lib/vanthu instead, and we say so.
run: build
	@data="$${VANTHU_DATA_DIR:-$(CURDIR)/.vanthu}"; \
	if [ "$$(id -u)" = 0 ] && [ -z "$$VANTHU_DATABASE_URL" ] && ! runuser -u postgres -- test -x "$$(dirname "$$data")" 2>/dev/null; then \
		data=/var/lib/vanthu; echo "note: the postgres user cannot reach $(CURDIR); using VANTHU_DATA_DIR=$$data"; \
	fi; \
	export VANTHU_DATA_DIR="$$data"; \
	"$(BIN)/vanthu-server" seed --demo --log-level warning && \
	echo "" && \
	echo "VanThu is starting on http://$(HOST):$(PORT)  (Ctrl-C stops it and its PostgreSQL)" && \
	echo "Log in as the department's clerk (văn thư) Đỗ Thị Mai:" && \
	echo "  $(BIN)/vanthu login --server http://$(HOST):$(PORT) --username mai.dt" && \
	echo "  password: $$(cat "$$data/demo-password" 2>/dev/null || echo "\$$VANTHU_DEMO_PASSWORD")   (every demo account shares it; kept in $$data/demo-password)" && \
	echo "Other demo accounts: hung.nv (giám đốc), huy.lq (trưởng phòng), huong.pt (chuyên viên), admin," && \
	echo "  hoa.vt (văn thư, Phòng GD&ĐT thành phố Thanh Hóa), thu.nt (văn thư, Trường THCS Trần Mai Ninh)" && \
	echo "" && \
	exec "$(BIN)/vanthu-server" serve --host $(HOST) --port $(PORT)

test: test-deps
	$(SWIFT) build $(SWIFTFLAGS) --build-tests
	$(SWIFT) test $(SWIFTFLAGS) --skip-build

# The client as it is handed to officials' machines: one release binary with the Swift runtime
# linked in (it needs only OpenSSL, zlib and glibc from the system), linked for a small memory
# footprint by scripts/small-link.sh, whose training run needs valgrind (BENCHMARKS.md, PDF
# signatures).
cli: deps
	@missing=$$(for p in $(CLI_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@bin=$$(SWIFT=$(SWIFT) RELR=$(RELR) scripts/small-link.sh vanthu .build-static) && echo "built: $$bin"

clean-data:
	rm -rf .vanthu
