"""``dlint serve``: the options of the HTTP service, turned into its settings (the command line
registers the command on its app)."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer

from dlint import DISTRIBUTION
from dlint.api import OptionsError
from dlint.cli_options import Config, Isolated
from dlint.config import CommandLine, Resolver


def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.")] = 8765,
    workers: Annotated[int, typer.Option(help="Server processes sharing the port.")] = 1,
    jobs: Annotated[int, typer.Option(help="Checks and fixes of large uploads run at once per process.")] = 2,
    small_jobs: Annotated[
        int,
        typer.Option(
            help="Checks and fixes of small uploads run at once per process, in a lane of their own."
        ),
    ] = 2,
    small_size: Annotated[
        str, typer.Option(help="The largest upload that is small: 1MiB, 500KB, bytes.")
    ] = "1MiB",
    queue: Annotated[int, typer.Option(help="Requests that may wait in each lane; more get 503.")] = 64,
    timeout: Annotated[
        float, typer.Option(help="Seconds a check or fix may take, waiting included; over it, it is stopped.")
    ] = 300.0,
    header_timeout: Annotated[
        float, typer.Option(help="Seconds a client may take to send a request head.")
    ] = 10.0,
    body_timeout: Annotated[
        float, typer.Option(help="Seconds a client may take to send a request body.")
    ] = 300.0,
    max_body_size: Annotated[
        str, typer.Option(help="The largest request body accepted: 256MiB, 1GiB, 500MB, bytes.")
    ] = "256MiB",
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="A Host name to answer for; repeatable; * for any (default: localhost, 127.0.0.1, "
            "[::1] and --host).",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="DLINT_SERVE_TOKEN",
            show_envvar=True,
            help="Require this bearer token of every request but /healthz and the docs (prefer the "
            "environment variable: a command line shows in ps).",
        ),
    ] = None,
    limit: Annotated[
        list[str] | None,
        typer.Option("--limit", help="A limit of the engine as NAME=VALUE (max-file-size=1MiB); repeatable."),
    ] = None,
    config: Config = None,
    isolated: Isolated = False,
) -> int:
    """Serve check and fix over HTTP, as a gate for uploaded datasets (needs the serve extra).

    The engine's limits come from the [limits] table of the working directory's configuration, under
    --config and --limit.
    """
    try:
        from dlint.server.run import missing_package
        from dlint.server.run import serve as run_server
        from dlint.server.settings import ServerSettings, SettingsError, parse_size
    except ImportError as exc:
        _require(exc.name or "a package")
    missing = missing_package()
    if missing is not None:
        _require(missing)
    overrides = [*(config or ()), *(_limit_override(text) for text in limit or ())]
    run_limits = Resolver(CommandLine(config=tuple(overrides), isolated=isolated)).project_settings().limits
    try:
        settings = ServerSettings(
            host=host,
            port=port,
            workers=workers,
            jobs=jobs,
            max_body=parse_size(max_body_size),
            small_jobs=small_jobs,
            small_size=parse_size(small_size),
            queue=queue,
            timeout=timeout,
            header_timeout=header_timeout,
            body_timeout=body_timeout,
            allowed_hosts=tuple(allowed_host or ()),
            token=token,
            limits=run_limits,
        )
        run_server(settings)
    except SettingsError as exc:
        raise OptionsError(str(exc)) from exc
    return 0


def _limit_override(text: str) -> str:
    """``--limit NAME=VALUE`` as the ``--config limits.NAME=VALUE`` override it is."""
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise OptionsError(f"--limit {text!r}: write NAME=VALUE, such as max-file-size=1MiB")
    return f"limits.{name.strip()}={value.strip()}"


def _require(package: str) -> NoReturn:
    raise OptionsError(f"dlint serve needs {package}: pip install '{DISTRIBUTION}[serve]'")
