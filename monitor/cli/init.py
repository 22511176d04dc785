"""``monitor init``: a starter config and a new database."""

from __future__ import annotations

import click

from ..config import example_config, load_config
from ..errors import ConfigError
from .app import App, cli, pass_app


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@pass_app
def init(app: App, force: bool) -> None:
    """Write a starter config and create the database.

    \b
    Example:
        monitor init
        monitor --config ~/films.toml --db ~/films.db init
    """
    path = app.config_path
    if path.exists() and not force:
        raise ConfigError(
            f"{path} already exists", hint="pass --force to overwrite it, or --config another path"
        )
    text = example_config()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    app._config = load_config(path)
    store = app.store()
    click.echo(f"Wrote {path}")
    click.echo(f"Created {store.path} ({len(app.config.titles)} titles tracked)")
    click.echo("Next: set the credentials (see README) and run `monitor run`.")
