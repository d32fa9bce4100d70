# Kapal Si Geo — the two commands of the quick start, and a few helpers.
#   make demo   install what is missing, build, load the Bontang demo data, serve on :8080
#   make test   install what is missing, build, run every test
SHELL := /bin/bash
DEMO_DIR ?= var/demo
DEMO_PERSONS ?= 2000
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build test demo format format-check bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@scripts/build.sh release kapal

test: deps
	@scripts/test.sh

demo: build
	@if [ ! -f "$(DEMO_DIR)/config" ]; then \
	  ./build/kapal init --data "$(DEMO_DIR)" && \
	  ./build/kapal demo-data --data "$(DEMO_DIR)" --persons $(DEMO_PERSONS) --seed 1; \
	fi
	@echo ""
	@echo "Kapal Si Geo demo: http://$(LISTEN)/  (API: http://$(LISTEN)/api/v1/openapi.json)"
	@echo "Accounts: 'kapal init' printed the admin password above on the first run (kapal user --help"
	@echo "manages users). Sign-in to the app arrives with the security release; until then the demo"
	@echo "listens on this machine only."
	@echo "Stop with Ctrl+C. Data lives in $(DEMO_DIR) (delete it to start again)."
	@./build/kapal serve --data "$(DEMO_DIR)" --listen "$(LISTEN)"

format:
	@scripts/format.sh

format-check:
	@scripts/format.sh --check

bench: deps
	@bench/import/run.sh

clean:
	rm -rf build
