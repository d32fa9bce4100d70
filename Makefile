# Kapal Si Geo — the two commands of the quick start, and a few helpers.
#   make demo   install what is missing, build (program and web app), load the Bontang demo data, serve on :8080
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
	@scripts/build-web.sh

test: deps
	@scripts/test.sh

demo: build
	@if [ ! -f "$(DEMO_DIR)/config" ]; then \
	  ./build/kapal init --data "$(DEMO_DIR)" > /dev/null && \
	  ./build/kapal demo-data --data "$(DEMO_DIR)" --persons $(DEMO_PERSONS) --seed 1 --accounts \
	    > /dev/null && \
	  ./build/kapal duplicates scan --data "$(DEMO_DIR)" > /dev/null; \
	fi
	@echo ""
	@echo "Kapal Si Geo demo: http://$(LISTEN)/  (API: http://$(LISTEN)/api/v1/openapi.json)"
	@echo "Demo logins (user name, role, areas, password), also in $(DEMO_DIR)/demo-logins.txt:"
	@if [ -f "$(DEMO_DIR)/demo-logins.txt" ]; then grep -v '^#' "$(DEMO_DIR)/demo-logins.txt" | \
	  sed 's/^/  /'; else ./build/kapal demo-data --data "$(DEMO_DIR)" --persons 1 --accounts | \
	  grep -v '^#' | grep -v '^demo-data' | sed 's/^/  /'; fi
	@echo "Open http://$(LISTEN)/ in a browser and sign in (Masuk) with one of them; scripts use"
	@echo "POST /api/v1/auth/login {\"username\":\"admin\",\"password\":\"...\"} or an API token."
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
