"""`prep site build` and `prep site serve`."""

from __future__ import annotations

from pathlib import Path

import click
from studysite.build import BuildReport, build
from studysite.config import REPORT_URL, SiteConfig
from studysite.errors import BuildError

DEFAULT_OUT = Path("_site")


def _config(root: Path, out: Path, search: bool, report_url: str) -> SiteConfig:
    return SiteConfig(root=root, out=out, search=search, report_url=report_url)


def _build_and_report(config: SiteConfig) -> BuildReport:
    report = build(config)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    search = f", {report.indexed} pages indexed" if report.indexed is not None else ""
    total = sum(report.seconds.values())
    click.echo(
        f"Built {report.pages} pages ({report.files} files{search}) in {report.out} "
        f"in {total:.2f} s"
    )
    return report


def _common_options(command):
    command = click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Project root holding questions/ and exercises/.",
    )(command)
    command = click.option(
        "--search/--no-search",
        default=True,
        show_default=True,
        help="Build the Pagefind full-text index (the offline title search works either way).",
    )(command)
    command = click.option(
        "--report-url",
        default=REPORT_URL,
        show_default=True,
        help="Template of the 'report an error' link ({id}, {title}, {body} are filled in).",
    )(command)
    return command


@click.group()
def site() -> None:
    """The static study site (Chinese and English)."""


@site.command("build")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Output folder (replaced as a whole).",
)
@_common_options
def build_command(out: Path, root: Path, search: bool, report_url: str) -> None:
    """Build the site into --out."""
    _build_and_report(_config(root, out, search, report_url))


@site.command("serve")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Output folder (built first, then served).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@_common_options
def serve_command(out: Path, port: int, root: Path, search: bool, report_url: str) -> None:
    """Build the site, then serve it on 127.0.0.1 (Ctrl-C stops)."""
    from studysite.serve import make_server

    _build_and_report(_config(root, out, search, report_url))
    try:
        server = make_server(out, port)
    except OSError as exc:
        raise BuildError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    host, bound = server.server_address[:2]
    click.echo(f"Serving {out} on http://{host}:{bound}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()
