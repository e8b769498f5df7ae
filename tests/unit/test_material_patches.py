"""The guard that ties the site's Material patches to one Material release."""

from __future__ import annotations

import tomllib
from importlib import metadata

import pytest

from build_scripts import material_patches
from build_scripts.material_patches import (
    MATERIAL_VERSION,
    PATCHES,
    MaterialVersionError,
    check_material_version,
)
from build_scripts.paths import ROOT


def test_another_material_release_fails_with_every_patch_to_recheck() -> None:
    with pytest.raises(MaterialVersionError) as raised:
        check_material_version("9.9.0")
    message = str(raised.value.code)
    assert message.startswith("build failed (Material patches)")
    assert f"written for mkdocs-material {MATERIAL_VERSION}, and 9.9.0 is installed" in message
    for patch in PATCHES:
        assert patch.name in message
        for file in patch.files:
            assert file in message
    assert "build_scripts/material_patches.py" in message


def test_a_missing_material_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(material_patches.metadata, "version", not_installed)
    with pytest.raises(MaterialVersionError, match="it is not installed"):
        check_material_version()


def test_the_release_the_patches_were_written_for_passes() -> None:
    assert check_material_version(MATERIAL_VERSION) == MATERIAL_VERSION


def test_the_pinned_and_installed_material_is_the_guarded_release() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert (
        f"mkdocs-material=={MATERIAL_VERSION}" in project["project"]["optional-dependencies"]["dev"]
    )
    assert check_material_version() == MATERIAL_VERSION  # the build's own call passes here


def test_every_patch_names_files_that_exist() -> None:
    assert len({patch.name for patch in PATCHES}) == len(PATCHES)
    for patch in PATCHES:
        for file in patch.files:
            assert (ROOT / file).is_file(), f"{patch.name}: {file}"
