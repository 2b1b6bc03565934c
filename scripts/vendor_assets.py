"""Fetch pinned front-end packages with `npm pack` and copy what the app serves into static/vendor.

The police intranet has no CDN and no npm, so the copied files are committed; re-run this script
only to change a pinned version. Output is deterministic (no timestamps), so a re-run with the same
pins leaves the tree unchanged.

    python scripts/vendor_assets.py
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parent.parent / "hazards" / "static" / "vendor"


@dataclass(frozen=True)
class Package:
    """One pinned npm package and the files (paths inside the tarball's package/) we serve."""

    name: str
    version: str
    license: str  # declared here because leaflet.heat's package.json has no "license" field
    license_file: str
    files: tuple[str, ...]  # globs relative to package/; copied flat except for leaflet's images/


PACKAGES = (
    Package("leaflet", "1.9.4", "BSD-2-Clause", "LICENSE",
            ("dist/leaflet.js", "dist/leaflet.css", "dist/images/*.png")),
    Package("leaflet.markercluster", "1.5.3", "MIT", "MIT-LICENCE.txt",
            ("dist/leaflet.markercluster.js", "dist/MarkerCluster.css",
             "dist/MarkerCluster.Default.css")),
    Package("leaflet.heat", "0.2.0", "BSD-2-Clause", "LICENSE", ("dist/leaflet-heat.js",)),
)


def sha256(path: Path) -> str:
    """Hex sha256 of a file, as recorded in MANIFEST.json."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def npm_pack(pkg: Package, workdir: Path) -> tuple[Path, str]:
    """Download the exact tarball through the npm client; returns (extracted package dir, integrity)."""
    out = subprocess.run(
        ["npm", "pack", f"{pkg.name}@{pkg.version}", "--json", "--pack-destination", str(workdir)],
        check=True, capture_output=True, text=True,
    )
    info = json.loads(out.stdout)[0]
    dest = workdir / pkg.name
    with tarfile.open(workdir / info["filename"]) as tar:
        tar.extractall(dest, filter="data")  # "data" refuses absolute paths and links out of dest
    return dest / "package", info["integrity"]


def vendor(pkg: Package, workdir: Path) -> dict:
    """Copy one package's served files and licence into VENDOR_DIR/<name>/; return its manifest entry."""
    src, integrity = npm_pack(pkg, workdir)
    meta = json.loads((src / "package.json").read_text())
    if meta["version"] != pkg.version or meta.get("license", pkg.license) != pkg.license:
        sys.exit(f"{pkg.name}: registry says {meta['version']} / {meta.get('license')}, pinned "
                 f"{pkg.version} / {pkg.license}")
    target = VENDOR_DIR / pkg.name
    shutil.rmtree(target, ignore_errors=True)  # drop files a previous pin had and this one lacks
    copied: list[Path] = []
    for pattern in (*pkg.files, pkg.license_file):
        matches = sorted(src.glob(pattern))
        if not matches:
            sys.exit(f"{pkg.name}@{pkg.version}: nothing matches {pattern}")
        for path in matches:
            # keep images/ beside the css: leaflet.css points at them as url(images/...)
            rel = path.relative_to(src / "dist") if path.parent.name == "images" else Path(path.name)
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / rel)
            copied.append(target / rel)
    return {
        "name": pkg.name,
        "version": pkg.version,
        "license": pkg.license,
        "license_file": f"{pkg.name}/{pkg.license_file}",
        "tarball_integrity": integrity,
        "files": {p.relative_to(VENDOR_DIR).as_posix(): sha256(p) for p in sorted(copied)},
    }


def main() -> None:
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        entries = [vendor(pkg, Path(tmp)) for pkg in PACKAGES]
    manifest = {"source": "npm registry via `npm pack` (scripts/vendor_assets.py)", "packages": entries}
    (VENDOR_DIR / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
    for entry in entries:
        print(f"{entry['name']}@{entry['version']}: {len(entry['files'])} files")


if __name__ == "__main__":
    main()
