# collective.civicreports: the two commands are `make start` and `make test`.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VAR := var
PORT ?= 8080
SMTP_PORT ?= 8025
OIDC_PORT ?= 8081
APPIO_PORT ?= 8026
SITE_ID ?= Plone
# Debian packages the tests need (installed with apt-get when missing):
# the browser tests run in Chromium, the RelStorage tests on PostgreSQL; the
# PDF receipt embeds DejaVu when Titillium Web is not installed; HAProxy
# balances the instances of `make start-zeo`, `make start-relstorage` and
# their tests.
DEBIAN_PACKAGES ?= chromium chromium-driver postgresql fonts-dejavu-core haproxy

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python setup.py constraints.txt
	$(BIN)/pip install -q -c constraints.txt pip setuptools wheel
	$(BIN)/pip install -q -c constraints.txt -e ".[test,production]" ruff zpretty
	touch $@

# Leaflet and its clustering plugin, and Bootstrap Italia's CSS with its
# Titillium Web font (the optional bootstrap_italia profile), from npm
# (package-lock.json), copied where Plone serves them; axe-core and
# Lighthouse stay in node_modules for the tests and `make bench`.
STATIC := src/collective/civicreports/browser/static
VENDOR := $(STATIC)/vendor

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.installed: node_modules/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/leaflet $(VENDOR)/markercluster
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	  node_modules/leaflet/dist/images node_modules/leaflet/LICENSE $(VENDOR)/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
	  node_modules/leaflet.markercluster/dist/MarkerCluster.css \
	  node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css \
	  node_modules/leaflet.markercluster/MIT-LICENCE.txt $(VENDOR)/markercluster/
	mkdir -p $(VENDOR)/bootstrap-italia/css $(VENDOR)/bootstrap-italia/fonts
	cp node_modules/bootstrap-italia/dist/css/bootstrap-italia.min.css \
	  node_modules/bootstrap-italia/LICENSE $(VENDOR)/bootstrap-italia/css/
	cp node_modules/bootstrap-italia/dist/fonts/Titillium_Web/*.woff2 \
	  node_modules/bootstrap-italia/dist/fonts/Titillium_Web/OFL.txt \
	  $(VENDOR)/bootstrap-italia/fonts/
	touch $@

.PHONY: assets
assets: $(VENDOR)/.installed ## Install the front-end libraries (npm)

.PHONY: system-packages
system-packages: ## Install the Debian packages the tests need, where missing
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

.PHONY: install
install: $(VENV)/.installed $(VENDOR)/.installed ## Create the virtualenv, install the pinned packages and the front-end libraries

$(VAR)/instance/zope.conf $(VAR)/instance/zope.ini: scripts/instance.py Makefile
	$(BIN)/python scripts/instance.py $(VAR) $(PORT)

.PHONY: instance
instance: install
	$(BIN)/python scripts/instance.py $(VAR) $(PORT)

.PHONY: site
site: instance ## Create the demo site (once)
	$(SITE_ENV) $(BIN)/zconsole run $(VAR)/instance/zope.conf scripts/create_site.py

# The stand-ins of the outside world, on 127.0.0.1: the mail server, the
# SPID/CIE broker (demo identities) and App IO (messages in var/appio/);
# stopped with the site. Nothing sends while Zope is down: a lock left by a
# crash would hold a mail for hours, so the locks go first.
STANDINS = mkdir -p $(VAR)/mail; \
  find $(VAR)/mailqueue -name '.sending-*' -delete 2>/dev/null || true; \
  $(BIN)/python scripts/mailsink.py --port $(SMTP_PORT) --maildir $(VAR)/mail & sink=$$!; \
  $(BIN)/python scripts/oidc_provider.py --port $(OIDC_PORT) --issuer http://127.0.0.1:$(OIDC_PORT) \
    --redirect-uri http://127.0.0.1:$(PORT)/$(SITE_ID)/acl_users/spid_cie/callback & oidc=$$!; \
  $(BIN)/python scripts/appio_standin.py --port $(APPIO_PORT) --dir $(VAR)/appio & appio=$$!; \
  trap "kill $$sink $$oidc $$appio 2>/dev/null" EXIT INT TERM;
SITE_ENV = SITE_ID=$(SITE_ID) SMTP_PORT=$(SMTP_PORT) OIDC_PORT=$(OIDC_PORT) APPIO_PORT=$(APPIO_PORT) \
  MAIL_QUEUE=$(abspath $(VAR))/mailqueue APPIO_QUEUE=$(abspath $(VAR))/appio-queue

.PHONY: start
start: site ## Install, create the demo site and serve it on http://127.0.0.1:$(PORT)/Plone
	@$(STANDINS) \
	  echo "Serving http://127.0.0.1:$(PORT)/$(SITE_ID) (mail in $(VAR)/mail/, App IO messages in $(VAR)/appio/)"; \
	  APPIO_QUEUE=$(abspath $(VAR))/appio-queue $(BIN)/runwsgi $(VAR)/instance/zope.ini

# Production's shape on one machine (scripts/cluster.py, docs/operations.rst):
# INSTANCES Zope processes from port INSTANCE_PORT on, behind HAProxy on PORT.
INSTANCES ?= 2
INSTANCE_PORT ?= 8090
ZEO_PORT ?= 8100
PG_PORT ?= 8432

.PHONY: start-zeo
start-zeo: install system-packages ## The demo site on a ZEO server and $(INSTANCES) Zope instances behind HAProxy (var/zeo/)
	@$(STANDINS) \
	  $(SITE_ENV) $(BIN)/python scripts/cluster.py zeo $(VAR) --port $(PORT) \
	    --processes $(INSTANCES) --instance-port $(INSTANCE_PORT) --storage-port $(ZEO_PORT)

.PHONY: start-relstorage
start-relstorage: install system-packages ## The demo site on RelStorage (RELSTORAGE_DSN, or PostgreSQL in var/relstorage/) and $(INSTANCES) Zope instances behind HAProxy
	@$(STANDINS) \
	  $(SITE_ENV) $(BIN)/python scripts/cluster.py relstorage $(VAR) --port $(PORT) \
	    --processes $(INSTANCES) --instance-port $(INSTANCE_PORT) --storage-port $(PG_PORT)

.PHONY: test
test: install system-packages ## Install what the tests need and run them all
	$(BIN)/zope-testrunner --test-path src --all -v $(TESTOPTS)

.PHONY: bench
bench: install system-packages ## Lighthouse on the citizens' pages, then the map, the staff's pages and the feed against plain Plone, at 10,000 and 100,000 reports (COUNT=..., BENCH_LARGE=0, LIGHTHOUSE=0)
	$(BIN)/python scripts/bench.py $(or $(COUNT),10000)

.PHONY: backup
backup: install ## Back up the database and blobs of the local instance (it may run) into var/backups (TO=...)
	$(BIN)/python scripts/backup.py backup --var $(VAR) --to $(or $(TO),$(VAR)/backups)

.PHONY: restore
restore: install ## Restore a backup into a new folder: make restore FROM=var/backups/<stamp> INTO=var-restored
	$(BIN)/python scripts/backup.py restore --from $(FROM) --var $(INTO)

.PHONY: bench-burst
bench-burst: install system-packages ## Only the 16-client burst and single-client submit against plain Plone, and two RelStorage processes (BURST_COUNT=400, BURST_PAIRS=2)
	$(BIN)/python scripts/bench_burst.py

.PHONY: daily
daily: install ## Run the daily reminders and retention on the local instance (stopped), or with STORAGE=zeo or relstorage on the running cluster
	$(BIN)/civicreports-daily $(if $(STORAGE),$(VAR)/$(STORAGE)/jobs/instance/zope.conf,$(VAR)/instance/zope.conf) \
	  $(SITE_ID) --url http://127.0.0.1:$(PORT)/$(SITE_ID)

.PHONY: format
format: install ## Format the code
	$(BIN)/ruff format src scripts
	$(BIN)/ruff check --fix src scripts
	find src -name '*.zcml' -o -name '*.xml' -o -name '*.pt' | grep -v -e locales -e _rss.pt | xargs $(BIN)/zpretty -i

.PHONY: lint
lint: install ## Check formatting and style
	$(BIN)/ruff format --check src scripts
	$(BIN)/ruff check src scripts
	find src -name '*.zcml' -o -name '*.xml' -o -name '*.pt' | grep -v -e locales -e _rss.pt | xargs $(BIN)/zpretty --check

.PHONY: i18n
i18n: install ## Rebuild the .pot and merge it into the .po catalogs
	$(BIN)/pip install -q -c constraints.txt i18ndude
	$(BIN)/python scripts/i18n.py

versions.cfg: constraints.txt scripts/versions_cfg.py ## Regenerate buildout's versions from constraints.txt
	$(PYTHON) scripts/versions_cfg.py

.PHONY: clean
clean: ## Remove the virtualenv (keeps var/, the demo data)
	rm -rf $(VENV) src/*.egg-info

.PHONY: distclean
distclean: clean ## Remove the virtualenv and the demo data
	rm -rf $(VAR)
