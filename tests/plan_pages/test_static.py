"""The vendored GOV.UK Frontend stylesheet: collected for production, without GOV.UK-only parts."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings

STYLESHEET = "plan_pages/govuk-frontend/govuk-frontend.min.css"


def test_collectstatic_gathers_the_stylesheets_for_whitenoise(tmp_path: Path) -> None:
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    for name in (STYLESHEET, "plan_pages/plan-page.css"):
        assert (tmp_path / name).is_file(), name
        # whitenoise serves the compressed copy to browsers that accept it.
        assert (tmp_path / f"{name}.gz").is_file(), name


def test_the_stylesheet_is_the_pinned_release_without_the_gov_uk_only_typeface() -> None:
    found = finders.find(STYLESHEET)
    assert isinstance(found, str)
    css = Path(found).read_text()
    folder = Path(found).parent
    version = (folder / "VERSION").read_text().strip()
    assert f'--govuk-frontend-version:"{version}"' in css
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "MIT License" in (folder / "LICENCE.txt").read_text()
    shipped = {path.name for path in folder.rglob("*")}
    assert shipped == {"govuk-frontend.min.css", "LICENCE.txt", "VERSION"}, (
        "no GOV.UK-only font files, crown, crest or icons: they are not ours to use"
    )
