# Waybill: `make run` sets everything up and starts the app; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install assets migrate seed run test i18n-update i18n-check bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web/static/vendor/.built: web/node_modules/.package-lock.json
	mkdir -p web/static/vendor
	cp web/node_modules/htmx.org/dist/htmx.min.js web/static/vendor/
	cp web/node_modules/leaflet/dist/leaflet.js web/node_modules/leaflet/dist/leaflet.css web/static/vendor/
	cp -r web/node_modules/leaflet/dist/images web/static/vendor/
	touch $@

install: $(VENV)/.installed assets

assets: web/static/vendor/.built

migrate: install
	$(PY) -m app migrate

seed: migrate
	$(PY) -m app seed-demo

run: install
	$(PY) -m app serve

test: install
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

i18n-update: $(VENV)/.installed
	$(PY) -m app.i18n.catalogues update

i18n-check: $(VENV)/.installed
	$(PY) -m app.i18n.catalogues check

clean:
	rm -rf $(VENV) web/node_modules web/static/vendor
