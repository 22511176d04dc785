"""``monitor init``: a starter config and a new database."""

from __future__ import annotations

import tomllib

import click

from ..config import example_config, parse_config
from ..errors import ConfigError
from ..files import check_regular, inputs_of, refuse_inputs, write_text
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
    if check_regular(path, "config file", ConfigError) and not force:
        raise ConfigError(
            f"{path} already exists", hint="pass --force to overwrite it, or --config another path"
        )
    text = example_config()
    # the database first: a config is written only once everything else worked, whole
    app._config = parse_config(tomllib.loads(text), path)
    refuse_inputs(path, inputs_of(app.resolve_db(app._config), None))
    store = app.store()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"{path.parent}: cannot create the config's folder ({exc.strerror})",
            hint="pass --config with a path in a folder you can write to",
        ) from None
    write_text(path, text, inputs_of(store.path, None))
    click.echo(f"Wrote {path}")
    click.echo(f"Created {store.path} ({len(app.config.titles)} titles tracked)")
    click.echo("Next: set the credentials (see README) and run `monitor run`.")
