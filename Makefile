.PHONY: test lint bench format

test:
	bash scripts/test

lint:
	ruff check src tests bench
	ruff format --check src tests bench
	mypy
	lint-imports

format:
	ruff format src tests bench
	ruff check --fix src tests bench

bench:
	python bench/store_bench.py
	python bench/tui_bench.py
	python bench/server_bench.py
	python bench/intake_bench.py
	python bench/platforms_bench.py
	python bench/paging_bench.py
