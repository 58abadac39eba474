# 招商引资 CRM — `make run` serves the app with demo data; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run worker reset-demo test bench bench-all lint migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.runtime
	$(FLASK) db upgrade

run: migrate
	$(FLASK) seed-demo --if-empty
	@echo "在浏览器打开 http://127.0.0.1:5000/ 登录"
	@# the job worker (large exports, month close) runs beside the web server
	$(FLASK) jobs-worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

# 只启动后台任务进程（大批量导出、月结）；make run 已包含它。多台服务器时每台可各启动若干个。
worker: migrate
	$(FLASK) jobs-worker

# 清空 SQLite 演示库（instance/*.sqlite3）并重新载入演示数据；设置了 DATABASE_URL 时拒绝执行。
reset-demo: $(VENV)/.runtime
	@if [ -n "$$DATABASE_URL" ]; then echo "已设置 DATABASE_URL：reset-demo 只清空本机 SQLite 演示库" >&2; exit 1; fi
	rm -f instance/*.sqlite3
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "演示数据已重置；make run 启动后在浏览器打开 http://127.0.0.1:5000/ 登录"

test: $(VENV)/.dev
	$(BIN)/ruff check app tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

bench: $(VENV)/.dev
	$(BIN)/python -m bench

bench-all: $(VENV)/.dev
	$(BIN)/python -m bench all

lint: $(VENV)/.dev
	$(BIN)/ruff check app tests bench
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache
