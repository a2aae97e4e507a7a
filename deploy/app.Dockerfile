# syntax=docker/dockerfile:1
# The helpline application (Python 3.11, Starlette under uvicorn) on port 8000. Build from the
# repository root:
#
#   docker build -f deploy/app.Dockerfile -t ghcr.io/migrant-helpline/app:latest .
#
# It talks to Rasa over HTTP (RASA_URL) and needs DATABASE_URL (PostgreSQL) for more than one
# worker. The context's ignore file is deploy/app.Dockerfile.dockerignore (BuildKit reads
# <Dockerfile>.dockerignore).

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    HELPLINE_HOME=/app
WORKDIR /app

# the same steps as the Makefile's .venv: the locked versions first, then the project itself
COPY requirements.lock ./
RUN pip install --upgrade pip && pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot/ ./bot/
RUN pip install --no-deps -e .

# content: profiles, training data, safety phrases, directory (data/), catalogs (locales/), and
# the Rasa project files the training pages read (nlu/; no model: Rasa has its own image)
COPY data/ ./data/
COPY locales/ ./locales/
COPY nlu/config.yml nlu/requirements.txt nlu/constraints.txt ./nlu/
COPY nlu/helpline_nlu/ ./nlu/helpline_nlu/
# as `make catalogs` (the console's catalogs are compiled from their .po files at run time)
RUN pybabel compile --use-fuzzy --domain messages --directory locales

# Non-root. It writes var/ (state), nlu/models/ (the training-run record), and, from the editor
# pages, the content files under data/ and locales/.
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /app helpline \
    && mkdir -p var nlu/models \
    && chown -R helpline:helpline var nlu/models data locales
USER 10001:10001

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["helpline", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
