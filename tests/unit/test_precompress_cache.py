"""The precompress cache (build_scripts.precompress): reused by content, pruned only on request."""

from __future__ import annotations

from pathlib import Path

from build_scripts.precompress import precompress


def site_with(root: Path, text: str) -> Path:
    site = root / "site"
    site.mkdir(parents=True)
    (site / "index.html").write_text(text * 400)
    return site


def test_other_folders_leave_the_cache_alone(tmp_path: Path) -> None:
    """make dist and the tests precompress other folders with the build's cache: they must not
    drop its entries (a minute of brotli for the snapshot)."""
    cache = tmp_path / "cache"
    precompress(site_with(tmp_path / "built", "<p>built</p>"), cache, prune=True)
    kept = sorted(cache.iterdir())
    assert len(kept) == 2  # .br and .gz of index.html
    precompress(site_with(tmp_path / "other", "<p>other</p>"), cache)
    precompress(tmp_path / "missing", cache)
    assert set(kept) <= set(cache.iterdir())


def test_the_build_prunes_what_it_no_longer_uses(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    site = site_with(tmp_path, "<p>first</p>")
    precompress(site, cache, prune=True)
    first = set(cache.iterdir())
    (site / "index.html").write_text("<p>second</p>" * 400)
    written = precompress(site, cache, prune=True)
    assert [p.name for p in written] == ["index.html.br", "index.html.gz"]
    assert len(set(cache.iterdir())) == 2 and not first & set(cache.iterdir())
