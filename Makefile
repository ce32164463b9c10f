# The two commands of the README: `make run` and `make test`.
# Each sets up .venv itself (scripts/bootstrap.sh), so both work on a fresh clone.
.PHONY: setup run test lint docs bench validate calibrate calibrate-abc baseline figures clean

setup:
	@bash scripts/bootstrap.sh

run: setup
	.venv/bin/lewsim run $(ARGS)

test: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/python -m pytest -n auto $(ARGS)

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports

# The documentation site into site/ (executes the tutorials; about 2 minutes on 2 cores).
# (The variables quiet two banners about MkDocs' future that plugins print on every build.)
docs: setup
	NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true .venv/bin/mkdocs build --strict

validate: setup
	.venv/bin/lewsim validate $(ARGS)

calibrate: setup
	.venv/bin/python experiments/calibrate.py $(ARGS)

calibrate-abc: setup
	.venv/bin/python experiments/calibrate_abc.py $(ARGS)

# Every number the README and docs/ODD.md quote, into docs/figures.json (tests/test_figures.py).
figures: setup
	.venv/bin/python experiments/make_figures.py $(ARGS)

baseline: setup
	.venv/bin/python tests/core/test_baseline.py

bench: setup
	.venv/bin/python benchmarks/bench_speed.py $(ARGS)

clean:
	rm -rf .venv .pytest_cache .ruff_cache site
