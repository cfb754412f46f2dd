"""deploy/ checked without a container engine: entry points, YAML, Dockerfile inputs, settings, runbook commands."""

from __future__ import annotations

import ast
import importlib
import re
import shlex
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from shell.cli import app

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"
ENV_EXAMPLE = DEPLOY / ".env.example"
RUNBOOK = DEPLOY / "RUNBOOK.md"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))
BIN = Path(sys.executable).parent

# Settings read by a library we configure (not by our own code), with the library that reads them.
PREFIX_READERS = {"PREFECT_": "prefect (its settings)", "AWS_": "botocore (through s3fs)"}
LIBRARY_SETTINGS = {"FLOWER_BASIC_AUTH": "Flower (mher/flower image)"}


# -- helpers ---------------------------------------------------------------------------------------------------
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def is_project_image(service: dict[str, Any]) -> bool:
    return "build" in service or "NIANBAO_IMAGE" in str(service.get("image", ""))


def argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


@cache
def cli_root() -> Any:
    """The click command tree behind the typer app (typer may ship its own click: duck-typed)."""
    return typer.main.get_command(app)


def cli_help(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})
    assert result.exit_code == 0, f"`nianbao {' '.join(path)} --help` failed:\n{result.output}"
    return result.output


def option_in_help(option: str, help_text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text) is not None


def check_nianbao(args: list[str]) -> list[str]:
    """Problems with `nianbao ARGS`: the subcommand path must exist, each option must be in its --help."""
    command = cli_root()
    path: list[str] = []
    rest = list(args)
    while hasattr(command, "commands") and rest and not rest[0].startswith("-"):
        sub = command.commands.get(rest[0])
        if sub is None:
            return [f"`nianbao {' '.join([*path, rest[0]])}`: no such command"]
        path.append(rest.pop(0))
        command = sub
    if hasattr(command, "commands") and not set(rest) & {"--help"}:
        return [f"`nianbao {' '.join(path)}` names a group, not a command"]
    help_text = cli_help(tuple(path))
    problems = []
    for token in rest:
        if token == "--":
            break
        if token.startswith("-"):
            option = token.split("=", 1)[0]
            if not option_in_help(option, help_text):
                problems.append(f"`nianbao {' '.join(path)}` has no option {option}")
    return problems


@cache
def tool_help(tool: str, *path: str) -> str:
    run = subprocess.run([str(BIN / tool), *path, "--help"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"{tool} {' '.join(path)} --help: {run.stderr[-2000:]}"
    return run.stdout


def check_entry_point(args: list[str]) -> list[str]:
    """A command run in the project image must start one of the project's entry points."""
    if args[:1] == ["nianbao"]:
        return check_nianbao(args[1:])
    if args[:2] == ["python", "-m"]:
        importlib.import_module(args[2])
        return []
    if args[:1] == ["celery"]:
        assert args[1:3] == ["-A", "workers.celery"], f"celery must load the project app: {args}"
        from celery import Celery

        assert isinstance(importlib.import_module("workers.celery").app, Celery)
        sub = args[3]
        help_text = tool_help("celery", "-A", "workers.celery", sub)
        problems = [
            f"celery {sub} has no option {a}"
            for a in args[4:]
            if a.startswith("--") and not option_in_help(a.split("=")[0], help_text)
        ]
        if sub == "worker":
            from workers import config

            queue = args[args.index("-Q") + 1]
            assert queue in {route["queue"] for route in config.task_routes.values()}, f"no task routed to {queue}"
        return problems
    if args[:1] == ["prefect"]:
        path = [a for a in args[1:3] if not a.startswith("-")]
        help_text = tool_help("prefect", *path)
        return [
            f"prefect {' '.join(path)} has no option {a}"
            for a in args
            if a.startswith("--") and not option_in_help(a.split("=")[0], help_text)
        ]
    return [f"not an entry point of the project: {args}"]


# -- compose ---------------------------------------------------------------------------------------------------
def test_compose_parses_and_has_every_service() -> None:
    services = compose()["services"]
    wanted = {"redis", "minio", "minio-init", "postgres", "prefect-server", "prefect-worker", "celery-worker", "flower"}
    assert wanted <= set(services)


@pytest.mark.parametrize("name", sorted(n for n, s in compose()["services"].items() if is_project_image(s)))
def test_compose_project_services_run_project_entry_points(name: str) -> None:
    service = compose()["services"][name]
    command = service.get("command")
    assert command, f"{name}: no command"
    assert check_entry_point(argv(command)) == []


def test_compose_roles() -> None:
    services = compose()["services"]
    worker = argv(services["prefect-worker"]["command"])
    assert worker[:3] == ["prefect", "worker", "start"]
    assert worker[worker.index("--pool") + 1] == "nianbao-process" and worker[worker.index("--type") + 1] == "process"
    celery = argv(services["celery-worker"]["command"])
    assert celery[celery.index("-Q") + 1] == "extract"
    assert "container_name" not in services["celery-worker"], "--scale needs generated names"
    assert not services["celery-worker"].get("ports"), "--scale needs no fixed host ports"
    server = services["prefect-server"]["environment"]
    assert server["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert server["PREFECT_API_DATABASE_CONNECTION_URL"].startswith("postgresql+asyncpg://")
    assert "--appendonly" in argv(services["redis"]["command"])
    for name, service in services.items():
        if name not in ("minio-init", "cli"):
            assert "healthcheck" in service, f"{name}: no health check"
        image = str(service.get("image", ""))
        assert is_project_image(service) or (re.search(r":[\w.-]+$", image) and not image.endswith(":latest")), image


# -- Dockerfile ------------------------------------------------------------------------------------------------
def test_dockerfile_copies_files_that_exist() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert len(re.findall(r"^FROM ", text, re.M)) >= 2, "multi-stage"
    assert "python:3.11-slim" in text and re.search(r"^USER (?!root|0)", text, re.M)
    assert "uv pip sync" in text and "grep '^uv==' requirements.lock" in text
    copied = [src for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M) for src in line.split()[:-1]]
    assert {"requirements.lock", "pyproject.toml"} <= set(copied)
    for src in copied:
        assert (ROOT / src).exists(), f"COPY {src}: not in the repository"
    assert re.search(r"^uv==", (ROOT / "requirements.lock").read_text(encoding="utf-8"), re.M)


def test_the_image_lock_has_no_test_or_lint_tools() -> None:
    """The image installs requirements.lock only; pytest, moto (a server that accepts any credentials) and the
    linters live in requirements-dev.lock, which pins every package the two share to the same version."""

    def pins(name: str) -> dict[str, str]:
        text = (ROOT / name).read_text(encoding="utf-8")
        return dict(re.findall(r"^([A-Za-z0-9_.\[\]-]+)==(\S+)", text, re.M))

    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert not {"pytest", "moto", "ruff", "mypy"} & set(runtime)
    assert {"pytest", "moto", "ruff", "mypy"} <= set(dev)
    assert {name: dev[name] for name in set(runtime) & set(dev)} == {n: runtime[n] for n in set(runtime) & set(dev)}


# -- Kubernetes ------------------------------------------------------------------------------------------------
def k8s_documents() -> list[tuple[str, dict[str, Any]]]:
    return [(p.name, d) for p in MANIFESTS for d in yaml.safe_load_all(p.read_text(encoding="utf-8")) if d]


def test_manifests_parse() -> None:
    kinds = {d.get("kind") for _, d in k8s_documents()}
    assert {"Deployment", "ScaledObject", "Secret", "ConfigMap"} <= kinds


def test_k8s_containers_run_project_entry_points() -> None:
    checked = 0
    for name, doc in k8s_documents():
        if doc.get("kind") not in ("Deployment", "StatefulSet", "Job", "CronJob"):
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            if "nianbao" not in container["image"]:
                continue
            assert check_entry_point(argv(container["command"]) + argv(container.get("args", []))) == [], name
            assert container["resources"]["requests"] and container["resources"]["limits"], name
            checked += 1
    assert checked


def test_keda_scales_celery_on_extract_queue() -> None:
    scaled = next(d for _, d in k8s_documents() if d.get("kind") == "ScaledObject")
    deployments = {d["metadata"]["name"] for _, d in k8s_documents() if d.get("kind") == "Deployment"}
    assert scaled["spec"]["scaleTargetRef"]["name"] in deployments
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "redis" and trigger["metadata"]["listName"] == "extract"


def test_prefect_helm_values() -> None:
    worker = yaml.safe_load((DEPLOY / "k8s" / "prefect-worker-values.yaml").read_text(encoding="utf-8"))["worker"]
    assert worker["config"] == worker["config"] | {"type": "process", "workPool": "nianbao-process"}
    assert worker["image"]["repository"] != "prefecthq/prefect", "the worker runs the project's flows: its image"
    server = yaml.safe_load((DEPLOY / "k8s" / "prefect-server-values.yaml").read_text(encoding="utf-8"))
    assert {"name": "PREFECT_SERVER_ANALYTICS_ENABLED", "value": "false"} in server["server"]["env"]
    locked = re.search(r"^prefect==(\S+)", (ROOT / "requirements.lock").read_text(encoding="utf-8"), re.M)
    assert locked and server["global"]["prefect"]["image"]["prefectTag"].startswith(locked.group(1))


# -- settings --------------------------------------------------------------------------------------------------
def env_example() -> dict[str, bool]:
    """Settings of .env.example: name → active (`KEY=v`) or optional (`# KEY=v`)."""
    found = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(#\s)?([A-Z][A-Z0-9_]*)=", line)
        if m:
            found[m.group(2)] = m.group(1) is None
    return found


def settings_read_by_code() -> dict[str, str]:
    """Environment variables the project's packages read: os.environ.get/[]/setdefault, os.getenv, typer envvar."""
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found: dict[str, str] = {}
    for pattern in packages["packages"]["find"]["include"]:
        for package in ROOT.glob(pattern.rstrip("*")):
            for path in package.rglob("*.py"):
                tree = ast.parse(path.read_text(encoding="utf-8"))
                constants = {
                    t.id: n.value.value
                    for n in tree.body
                    if isinstance(n, ast.Assign)
                    and isinstance(n.value, ast.Constant)
                    and isinstance(n.value.value, str)
                    for t in n.targets
                    if isinstance(t, ast.Name)
                }

                def name_of(node: ast.AST, constants: dict[str, str] = constants) -> str | None:
                    if isinstance(node, ast.Constant) and isinstance(node.value, str):
                        return node.value
                    if isinstance(node, ast.Name):
                        return constants.get(node.id)
                    return None

                for node in ast.walk(tree):
                    key = None
                    if isinstance(node, ast.Call):
                        func = ast.unparse(node.func)
                        if (
                            func in ("os.environ.get", "os.getenv", "os.environ.setdefault", "environ.get")
                            and node.args
                        ):
                            key = name_of(node.args[0])
                        for kw in node.keywords:
                            if kw.arg == "envvar" and name_of(kw.value):
                                found[str(name_of(kw.value))] = str(path.relative_to(ROOT))
                    elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                        key = name_of(node.slice)
                    if key and re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
                        found[key] = str(path.relative_to(ROOT))
    return found


def prefect_setting_exists(name: str) -> bool:
    from prefect.settings import Settings
    from prefect.settings.legacy import _get_valid_setting_names

    return name in _get_valid_setting_names(Settings)


def botocore_reads(name: str) -> bool:
    import botocore

    return any(name in p.read_text(encoding="utf-8") for p in Path(botocore.__file__).parent.glob("*.py"))


def test_code_reads_settings() -> None:
    read = settings_read_by_code()
    assert {"REDIS_URL", "NIANBAO_S3_ENDPOINT_URL", "NIANBAO_MAX_PARALLEL_CRAWLS", "NIANBAO_LOG_LEVEL"} <= set(read)


def test_every_setting_the_code_reads_is_in_env_example() -> None:
    missing = sorted(set(settings_read_by_code()) - set(env_example()))
    assert not missing, f"read by the code, not documented in deploy/.env.example: {missing}"


def test_every_env_example_setting_is_read() -> None:
    code = settings_read_by_code()
    compose_text = COMPOSE.read_text(encoding="utf-8")
    unread = []
    for name in env_example():
        if name in code or name in LIBRARY_SETTINGS:
            continue
        if name.startswith("PREFECT_"):
            assert prefect_setting_exists(name), f"{name}: Prefect has no such setting"
            continue
        if name.startswith("AWS_"):
            assert botocore_reads(name), f"{name}: botocore reads no such variable"
            continue
        if re.search(rf"\$\{{{name}\b", compose_text):  # read by compose itself (interpolation)
            continue
        unread.append(name)
    assert not unread, f"in deploy/.env.example but read by nothing: {unread}"


def test_active_env_example_settings_reach_compose() -> None:
    compose_text = COMPOSE.read_text(encoding="utf-8")
    ignored = [n for n, active in env_example().items() if active and not re.search(rf"\$\{{{n}\b", compose_text)]
    assert not ignored, f"set in .env.example, never passed on by docker-compose.yml: {ignored}"


# -- runbook ---------------------------------------------------------------------------------------------------
def runbook_commands() -> list[list[str]]:
    """`nianbao …` invocations in RUNBOOK.md's code blocks and inline code (the program word, not an option value)."""
    text = RUNBOOK.read_text(encoding="utf-8")
    snippets = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    snippets += [s for s in re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))]
    commands = []
    for snippet in snippets:
        for line in snippet.replace("\\\n", " ").splitlines():
            line = line.split(" #", 1)[0]
            try:
                tokens = shlex.split(line)
            except ValueError:
                continue
            for i, token in enumerate(tokens):
                if token != "nianbao" and not token.endswith("/bin/nianbao"):
                    continue
                if i and (tokens[i - 1].startswith("-") or tokens[i - 1] in ("namespace", "ns")):
                    continue  # a namespace or other option value, not the program
                args = []
                for t in tokens[i + 1 :]:
                    if t in ("|", "&&", "||", ";", ">", ">>") or t.startswith(("|", ">", "$(")):
                        break
                    args.append(t)
                if args:
                    commands.append(args)
    return commands


def test_runbook_has_commands() -> None:
    used = {args[0] for args in runbook_commands()}
    assert {"deploy", "rerun", "failures", "status"} <= used


@pytest.mark.parametrize("args", runbook_commands(), ids=lambda a: " ".join(a))
def test_runbook_commands_exist(args: list[str]) -> None:
    assert check_nianbao(args) == []
