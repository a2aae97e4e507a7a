"""The deployment files in deploy/ keep the promises the application and deploy/README.md rely on.

Checked without a Docker engine or a cluster: every YAML file parses; every environment variable
that Compose or the Kubernetes ConfigMap and Secret set is a setting documented in .env.example (a
typo there silently turns a feature off); secrets are never written into compose.yaml; the load
balancers route only to replicas whose /readyz answers and restart only those whose /healthz fails;
the migrations run before the app; the kustomization applies every manifest but never the example
Secret; the Rasa image picks the published model. With kubectl or docker compose installed, the
files are also rendered by the real tools.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
APP_IMAGE = "ghcr.io/migrant-helpline/app"
# PostgreSQL's own image reads these; the application does not
POSTGRES_OWN = re.compile(r"POSTGRES_[A-Z_]+")


def documented_settings() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def kubernetes_documents() -> list[dict]:
    return [
        document
        for path in sorted(KUBERNETES.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document
    ]


def resource(kind: str, name: str) -> dict:
    found = [doc for doc in kubernetes_documents() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} definitions"
    return found[0]


def containers(kind: str, name: str) -> list[dict]:
    return resource(kind, name)["spec"]["template"]["spec"]["containers"]


def undocumented(names: set[str]) -> set[str]:
    return {name for name in names if not POSTGRES_OWN.fullmatch(name)} - documented_settings()


def test_every_yaml_file_parses():
    files = sorted(DEPLOY.rglob("*.yaml"))
    assert DEPLOY / "compose.yaml" in files and KUBERNETES / "app.yaml" in files
    for path in files:
        assert [document for document in yaml.safe_load_all(path.read_text(encoding="utf-8")) if document], path


def test_the_settings_scan_sees_the_settings():
    # a guard: an empty scan would make the two tests below pass vacuously
    assert {"DATABASE_URL", "RASA_URL", "CONSOLE_SECRET_KEY", "TELEGRAM_BOT_TOKEN"} <= documented_settings()


def test_compose_sets_only_documented_settings():
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    interpolated = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    environment = {name for service in compose()["services"].values() for name in service.get("environment", {})}
    assert "CONSOLE_SECRET_KEY" in environment and "POSTGRES_PASSWORD" in interpolated
    assert undocumented(interpolated | environment) == set()


def test_kubernetes_sets_only_documented_settings():
    names = {*resource("ConfigMap", "helpline-config")["data"], *resource("Secret", "helpline-secrets")["stringData"]}
    for kind, name in (("Deployment", "app"), ("Job", "helpline-migrate")):
        names |= {variable["name"] for container in containers(kind, name) for variable in container.get("env", [])}
    assert {"RASA_URL", "DATABASE_URL", "CONSOLE_SECRET_KEY"} <= names
    assert undocumented(names) == set()


def test_compose_writes_no_secret():
    secret = re.compile(r"PASSWORD|SECRET|TOKEN|KEY")
    for name, service in compose()["services"].items():
        environment = service.get("environment", {})
        for variable, value in environment.items():
            if secret.search(variable):
                assert str(value).startswith("${"), f"{name}: {variable} is written in compose.yaml"
        if "DATABASE_URL" in environment:
            assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"], f"{name}: a password in DATABASE_URL"


def test_the_app_waits_for_the_migrations_and_a_ready_rasa():
    services = compose()["services"]
    assert services["migrate"]["command"] == ["helpline", "db", "upgrade"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["app"]["depends_on"]["rasa"]["condition"] == "service_healthy"
    assert services["app"]["environment"]["RASA_URL"] == "http://rasa:5005"
    assert services["app"]["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")


def haproxy_sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            current = line.strip()
            sections[current] = []
        else:
            sections[current].append(" ".join(line.split()))
    return sections


def test_haproxy_sends_traffic_only_to_ready_replicas():
    backends = {name: lines for name, lines in haproxy_sections().items() if name.split()[0] in ("backend", "listen")}
    assert backends
    for name, lines in backends.items():
        servers = [line for line in lines if line.split()[0] in ("server", "server-template")]
        assert servers, f"{name} has no servers"
        assert "option httpchk GET /readyz" in lines, f"{name} does not check /readyz"
        for server in servers:
            assert " check" in server and "resolvers docker" in server, f"{name}: {server}"


def test_the_app_pods_are_probed_and_stop_gracefully():
    pod = resource("Deployment", "app")["spec"]["template"]["spec"]
    (app,) = pod["containers"]
    assert app["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert app["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert pod["terminationGracePeriodSeconds"] >= 30
    assert "/app/var" in {mount["mountPath"] for mount in app["volumeMounts"]}


def test_the_app_reads_the_config_and_secret_that_exist():
    for kind, name in (("Deployment", "app"), ("Job", "helpline-migrate")):
        (container,) = containers(kind, name)
        assert container["image"].startswith(APP_IMAGE + ":")
        sources = {next(iter(source)): next(iter(source.values()))["name"] for source in container["envFrom"]}
        assert sources == {"configMapRef": "helpline-config", "secretRef": "helpline-secrets"}


def test_the_migration_job_runs_the_upgrade():
    (migrate,) = containers("Job", "helpline-migrate")
    assert [*migrate.get("command", []), *migrate.get("args", [])] == ["helpline", "db", "upgrade"]


def test_the_kustomization_applies_every_manifest_but_the_example_secret():
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text(encoding="utf-8"))
    present = {path.name for path in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert sorted(kustomization["resources"]) == sorted(present)
    assert kustomization["namespace"] == "helpline"


def rasa_model():
    spec = importlib.util.spec_from_file_location("rasa_model", DEPLOY / "rasa_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_rasa_image_serves_the_published_model(tmp_path):
    choose = rasa_model().choose
    for name in ("nlu-old.tar.gz", "nlu-published.tar.gz", "nlu-refused.tar.gz"):
        (tmp_path / name).write_bytes(b"")
    with pytest.raises(SystemExit):
        choose(tmp_path)  # several models and none published: no guess
    (tmp_path / "published.json").write_text(json.dumps({"model": "nlu-published.tar.gz"}), encoding="utf-8")
    assert choose(tmp_path) == tmp_path / "nlu-published.tar.gz"
    assert choose(tmp_path, "nlu-old.tar.gz") == tmp_path / "nlu-old.tar.gz"
    with pytest.raises(SystemExit):
        choose(tmp_path, "nlu-missing.tar.gz")


def test_the_rasa_image_serves_its_only_model(tmp_path):
    (tmp_path / "nlu-only.tar.gz").write_bytes(b"")
    assert rasa_model().choose(tmp_path) == tmp_path / "nlu-only.tar.gz"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_three_app_replicas():
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(KUBERNETES)], capture_output=True, text=True, timeout=120, check=False
    )
    assert rendered.returncode == 0, rendered.stderr
    documents = [document for document in yaml.safe_load_all(rendered.stdout) if document]
    (app,) = [doc for doc in documents if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "app"]
    assert app["spec"]["replicas"] == 3
    assert {doc["metadata"].get("namespace") for doc in documents if doc["kind"] != "Namespace"} == {"helpline"}


def compose_installed() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=60).returncode == 0


def compose_config(**env: str) -> subprocess.CompletedProcess:
    # --env-file: this test's variables only, whatever a deploy/.env on this machine holds
    names = ("POSTGRES_PASSWORD", "CONSOLE_SECRET_KEY")
    clean = {name: value for name, value in os.environ.items() if name not in names}
    return subprocess.run(
        ["docker", "compose", "--env-file", os.devnull, "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
        capture_output=True, text=True, timeout=120, check=False, env={**clean, **env},
    )  # fmt: skip


@pytest.mark.skipif(not compose_installed(), reason="docker compose is not installed")
def test_compose_config_is_valid_and_demands_the_secrets():
    valid = compose_config(POSTGRES_PASSWORD="x", CONSOLE_SECRET_KEY="y")
    assert valid.returncode == 0, valid.stderr
    assert compose_config(CONSOLE_SECRET_KEY="y").returncode != 0
    assert compose_config(POSTGRES_PASSWORD="x").returncode != 0
