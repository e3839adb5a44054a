"""What every CLI command needs: settings, the database URL, and user-facing errors instead of tracebacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn, ParamSpec, TypeVar

import psycopg
import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError

from pulse.core.config import ConfigError, Settings, get_settings
from pulse.core.db.engine import libpq_url
from pulse.core.db.migrations import MigrationError
from pulse.core.errors import PulseError

console = Console(stderr=True)
out = Console()

EXIT_USER_ERROR = 1
EXIT_CONFLICT = 3
EXIT_NOT_FOUND = 4
EXIT_DATABASE = 5
EXIT_CONFIG = 6

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = EXIT_USER_ERROR) -> NoReturn:
    """Print an error for a person and exit with a meaningful code."""
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn known failures into one clear line and an exit code."""
    try:
        yield
    except ConfigError as exc:
        fail(str(exc), EXIT_CONFIG)
    except MigrationError as exc:
        fail(str(exc), EXIT_DATABASE)
    except PulseError as exc:
        code = {409: EXIT_CONFLICT, 404: EXIT_NOT_FOUND}.get(exc.status_code, EXIT_USER_ERROR)
        fail(exc.message, code)
    except (psycopg.OperationalError, OperationalError) as exc:
        reason = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0]
        fail(
            f"cannot reach the database ({reason}); check DATABASE_URL and that the server is up",
            EXIT_DATABASE,
        )
    except ValueError as exc:
        fail(str(exc), EXIT_CONFIG)


def handled(function: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of `user_errors` for command functions."""
    import functools

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with user_errors():
            return function(*args, **kwargs)
        raise AssertionError("unreachable")

    return wrapper


def settings() -> Settings:
    """The settings of this CLI process."""
    return get_settings()


def database_url() -> str:
    """The libpq URL of Pulse's database (starting the embedded server when needed)."""
    return libpq_url(settings())
