# syntax=docker/dockerfile:1
# Rasa Open Source 3.6.21 (Python 3.10) serving the helpline's NLU model over HTTP on port 5005.
#
# The model is not trained here: training needs the application too (`helpline train` writes the
# training data), so train it on the build machine first, then build from the repository root:
#
#   make model
#   docker build -f deploy/rasa.Dockerfile -t ghcr.io/migrant-helpline/rasa:latest .
#   docker build -f deploy/rasa.Dockerfile --build-arg MODEL=nlu-0123456789abcdef.tar.gz ...  # another model
#
# Without MODEL the image carries the published model (nlu/models/published.json). The context's
# ignore file is deploy/rasa.Dockerfile.dockerignore (BuildKit reads <Dockerfile>.dockerignore).

FROM python:3.10-slim AS model
ARG MODEL=""
WORKDIR /build
COPY deploy/rasa_model.py ./
COPY nlu/models/ ./models/
RUN set -e; \
    chosen="$(python rasa_model.py models "$MODEL")"; \
    mkdir -p /out; \
    cp "$chosen" /out/; \
    if [ -z "$MODEL" ] && [ -f models/published.json ]; then cp models/published.json /out/; fi; \
    echo "the image serves $(basename "$chosen")"

FROM python:3.10-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    TF_CPP_MIN_LOG_LEVEL=3 \
    SANIC_NO_UVLOOP=true \
    RASA_TELEMETRY_ENABLED=false

# the same steps as the Makefile's nlu/.venv: every transitive version pinned by nlu/constraints.txt
WORKDIR /app/nlu
COPY nlu/requirements.txt nlu/constraints.txt ./
RUN pip install --upgrade pip 'setuptools<70' wheel \
    && pip install -r requirements.txt -c constraints.txt

RUN useradd --uid 10001 --user-group --create-home --home-dir /home/rasa rasa
# Rasa runs from nlu/ (it puts the working directory on sys.path) so that the model's component
# helpline_nlu.intent_classifier imports. The models sit at the path the application names them by
# (HELPLINE_HOME=/app), so that a shared models volume mounted at /app/nlu/models in both works.
COPY nlu/config.yml ./
COPY nlu/helpline_nlu/ ./helpline_nlu/
COPY deploy/rasa_model.py /app/rasa_model.py
COPY --from=model /out/ ./models/

USER 10001:10001
EXPOSE 5005
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import json, sys, urllib.request; status = json.load(urllib.request.urlopen('http://127.0.0.1:5005/status', timeout=4)); sys.exit(0 if status.get('model_file') else 1)"]
# the published model of the models folder (the baked one, or a shared volume's), else the only one
CMD ["sh", "-c", "set -e; model=\"$(python /app/rasa_model.py /app/nlu/models)\"; exec rasa run --enable-api --model \"$model\" --interface 0.0.0.0 --port 5005"]
