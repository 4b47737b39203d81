"""``conformance images``: build the container images of the reference candidates."""

from __future__ import annotations

import time

import click

from conformance.candidate.images import build as build_image
from conformance.candidate.images import recipes as image_recipes
from conformance.cli.common import console, friendly
from conformance.errors import InputError


@click.group()
def images() -> None:
    """Container images of the reference candidates (docker/<name>/Containerfile)."""


@images.command("build")
@click.argument("names", nargs=-1)
@click.option(
    "--base",
    default=None,
    help="base image (default: the local Debian base if "
    "docker/setup-runtime.sh made one, else the Containerfile's public default)",
)
@friendly
def images_build(names: tuple[str, ...], base: str | None) -> None:
    """Build the images of NAMES (default: every reference candidate)."""
    available = image_recipes()
    unknown = set(names) - set(available)
    if unknown:
        raise InputError(
            f"unknown image(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(available))})"
        )
    for name in names or sorted(available):
        started = time.monotonic()
        tag = build_image(available[name], base)
        console.print(f"built {tag} in {time.monotonic() - started:.1f} s")
