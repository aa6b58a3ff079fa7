"""docker-compose.yml and the Dockerfile name only things that exist in this project.

No Docker engine runs where the tests do, so nothing is built or started: each command, build
path, environment and healthcheck URL is checked against the code instead. Every check is a
helper returning its problems, run on the real files and on a deliberately broken copy, so a
check that can no longer fail is noticed.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.core.management import get_commands
from django.urls import Resolver404, resolve

BASE_DIR = Path(__file__).resolve().parent.parent
EXPECTED_SERVICES = {"postgres", "redis", "mailpit", "migrate", "web", "worker", "beat"}
APP_SERVICES = {"migrate", "web", "worker", "beat"}

Compose = dict[str, Any]


def load_compose() -> Compose:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def missing_services(compose: Compose) -> set[str]:
    return EXPECTED_SERVICES - compose["services"].keys()


def dockerfile_path(service: dict[str, Any]) -> Path:
    build = service["build"]
    if isinstance(build, str):
        build = {"context": build}
    return BASE_DIR / build.get("context", ".") / build.get("dockerfile", "Dockerfile")


def image_command(dockerfile_text: str) -> list[str]:
    """ENTRYPOINT + CMD of the final stage, which must be in exec (JSON) form: the shell form
    puts /bin/sh in front, and SIGTERM from `docker stop` would never reach gunicorn."""
    text = re.sub(r"\\\n", " ", dockerfile_text)
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        keyword, _, rest = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            found = {}
        elif keyword.upper() in {"ENTRYPOINT", "CMD"}:
            try:
                found[keyword.upper()] = json.loads(rest)
            except json.JSONDecodeError:
                raise ValueError(f"{keyword} is not in exec form: {rest}") from None
    return found.get("ENTRYPOINT", []) + found.get("CMD", [])


def collectstatic_environment(dockerfile_text: str) -> dict[str, str]:
    """The variables the image's ``collectstatic`` step sets in front of its command, with the
    image's DJANGO_SETTINGS_MODULE: the settings must load with only these at build time."""
    text = re.sub(r"\\\n", " ", dockerfile_text)
    environment: dict[str, str] = {}
    for line in text.splitlines():
        keyword, _, rest = line.strip().partition(" ")
        if keyword.upper() == "ENV":
            environment |= dict(
                token.partition("=")[::2] for token in shlex.split(rest) if "=" in token
            )
        if keyword.upper() == "RUN" and "collectstatic" in rest:
            for token in shlex.split(rest):
                name, equals, value = token.partition("=")
                if not equals or not name.isidentifier():
                    break
                environment[name] = value
    # PATH=/opt/venv/bin:$PATH and the like mean nothing outside the image.
    return {key: value for key, value in environment.items() if "$" not in value}


def service_command(compose: Compose, name: str) -> list[str]:
    service = compose["services"][name]
    command = service.get("command")
    if command is None:
        return image_command(dockerfile_path(service).read_text())
    return shlex.split(command) if isinstance(command, str) else list(command)


def wsgi_problems(target: str) -> list[str]:
    # Read rather than import: arhub.wsgi switches to the production settings.
    module, _, attribute = target.partition(":")
    source = BASE_DIR / (module.replace(".", "/") + ".py")
    if not source.is_file():
        return [f"gunicorn: no module file {source.relative_to(BASE_DIR)}"]
    assigned = {
        name.id
        for node in ast.parse(source.read_text()).body
        if isinstance(node, ast.Assign)
        for name in node.targets
        if isinstance(name, ast.Name)
    }
    return [] if attribute in assigned else [f"gunicorn: {module} does not define {attribute!r}"]


def command_problems(argv: list[str]) -> list[str]:
    match argv:
        case ["python", "manage.py", name, *_]:
            return [] if name in get_commands() else [f"manage.py has no command {name!r}"]
        case ["celery", "-A", app_name, *_]:
            try:
                app = find_app(app_name)  # the lookup `celery -A` itself does
            except (ImportError, AttributeError) as exc:
                return [f"celery -A {app_name}: {exc}"]
            return [] if isinstance(app, Celery) else [f"celery -A {app_name}: not a Celery app"]
        case ["gunicorn", target, *_]:
            return wsgi_problems(target)
    return [f"unrecognised command {argv}; teach command_problems about it"]


_VARIABLE = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def interpolate(value: str) -> str:
    """As compose would with none of the variables set, so the test's own environment (which
    holds SECRET_KEY, DATABASE_URL...) cannot hide a gap: defaults apply, required variables get
    a placeholder since compose refuses to start without them, and bare ones become empty."""

    def replace(match: re.Match[str]) -> str:
        name, kind, argument = match.groups()
        if kind == "-":
            return argument
        return f"placeholder-{name.lower()}" if kind == "?" else ""

    return _VARIABLE.sub(replace, value)


def service_environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    return {key: interpolate(str(value)) for key, value in environment.items() if value is not None}


def production_settings_problems(environment: dict[str, str]) -> list[str]:
    """Loads the production settings in a clean process with only this environment; they stop
    with an error naming any variable that is missing or unusable."""
    result = subprocess.run(
        [sys.executable, "-c", "import arhub.settings.production"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    return [result.stderr.strip().splitlines()[-1]] if result.returncode else []


def healthcheck_problems(service: dict[str, Any], view_name: str) -> list[str]:
    test = " ".join(service.get("healthcheck", {}).get("test", []))
    urls = re.findall(r"https?://[^/\s\"']+(/[^\s\"']*)", test)
    if not urls:
        return ["no healthcheck URL"]
    problems = []
    for path in urls:
        try:
            match = resolve(path)
        except Resolver404:
            problems.append(f"healthcheck: no route for {path}")
            continue
        if match.url_name != view_name:
            problems.append(f"healthcheck: {path} is {match.url_name!r}, not {view_name!r}")
    return problems


@pytest.fixture(scope="module")
def compose() -> Compose:
    return load_compose()


@pytest.fixture
def broken(compose: Compose) -> Compose:
    return copy.deepcopy(compose)


def test_every_expected_service_exists(compose: Compose) -> None:
    assert missing_services(compose) == set()
    assert {name for name, s in compose["services"].items() if "build" in s} == APP_SERVICES
    for service in compose["services"].values():
        assert set(service.get("depends_on", {})) <= compose["services"].keys()


def test_a_missing_service_is_reported(broken: Compose) -> None:
    del broken["services"]["beat"]
    assert missing_services(broken) == {"beat"}


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_service_command_exists(compose: Compose, name: str) -> None:
    assert command_problems(service_command(compose, name)) == []


def test_image_command_exists() -> None:
    argv = image_command((BASE_DIR / "Dockerfile").read_text())
    assert argv[:2] == ["gunicorn", "arhub.wsgi:application"]
    assert command_problems(argv) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["python", "manage.py", "migrat", "--noinput"],
        ["celery", "-A", "no_such_package", "worker"],
        ["celery", "-A", "arhub.settings", "worker"],
        ["gunicorn", "arhub.no_such_module:application"],
        ["gunicorn", "arhub.wsgi:app"],
        ["uwsgi", "--module", "arhub.wsgi"],
    ],
)
def test_a_command_naming_nothing_is_reported(argv: list[str]) -> None:
    assert command_problems(argv)


def test_a_shell_form_cmd_is_reported() -> None:
    with pytest.raises(ValueError, match="exec form"):
        image_command("FROM python\nCMD gunicorn arhub.wsgi:application\n")


def test_only_the_final_stage_counts() -> None:
    dockerfile = 'FROM a AS build\nCMD ["build"]\nFROM b\nCMD ["gunicorn", \\\n  "x:y"]\n'
    assert image_command(dockerfile) == ["gunicorn", "x:y"]


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_build_points_at_a_dockerfile(compose: Compose, name: str) -> None:
    assert dockerfile_path(compose["services"][name]).is_file()


def test_a_missing_dockerfile_is_reported(broken: Compose) -> None:
    broken["services"]["web"]["build"] = {"context": "docker"}
    assert not dockerfile_path(broken["services"]["web"]).is_file()


def test_production_settings_load_for_the_image_collectstatic_step() -> None:
    environment = collectstatic_environment((BASE_DIR / "Dockerfile").read_text())
    assert environment["DJANGO_SETTINGS_MODULE"] == "arhub.settings.production"
    assert production_settings_problems(environment) == []


def test_a_variable_missing_from_the_collectstatic_step_is_reported() -> None:
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    broken = re.sub(r"ENCRYPTION_KEYS=\S+ \\\n\s*", "", dockerfile)
    assert broken != dockerfile
    problems = production_settings_problems(collectstatic_environment(broken))
    assert problems and "ENCRYPTION_KEYS" in problems[0]


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_production_settings_load_with_the_service_environment(compose: Compose, name: str) -> None:
    environment = service_environment(compose["services"][name])
    assert environment["DJANGO_SETTINGS_MODULE"] == "arhub.settings.production"
    assert production_settings_problems(environment) == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SECRET_KEY", None), ("DEFAULT_FROM_EMAIL", "${DEFAULT_FROM_EMAIL}"), ("EMAIL_PORT", "x")],
)
def test_a_missing_or_bad_variable_is_reported(
    broken: Compose, variable: str, value: str | None
) -> None:
    environment = broken["services"]["worker"]["environment"]
    if value is None:
        del environment[variable]
    else:
        environment[variable] = value
    problems = production_settings_problems(service_environment(broken["services"]["worker"]))
    assert len(problems) == 1
    assert variable in problems[0]


def test_web_healthcheck_hits_the_health_view(compose: Compose) -> None:
    assert healthcheck_problems(compose["services"]["web"], "healthz") == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [("http://127.0.0.1:8000/nope", "no route"), ("http://127.0.0.1:8000/login/", "'login'")],
)
def test_a_healthcheck_url_off_the_health_view_is_reported(
    broken: Compose, url: str, problem: str
) -> None:
    broken["services"]["web"]["healthcheck"]["test"] = ["CMD", "python", "-c", f"get('{url}')"]
    assert problem in healthcheck_problems(broken["services"]["web"], "healthz")[0]
