"""Regenerate templating/emailhtml/data/caniemail.json from the published caniemail package.

The client-support lint rule and the preview's compatibility panel answer "will it look right
in Outlook?" from the caniemail.com support tables (MIT). Nothing is fetched at run time: this
maintainer script downloads the npm package (``npm pack caniemail@VERSION`` into a temporary
folder), keeps only what the checks read and writes a compact, deterministic data file with
the package version, the data's date and the license notice::

    python scripts/update_caniemail.py                 # the version pinned below
    python scripts/update_caniemail.py --version 2.0.3
    python scripts/update_caniemail.py --from path/to/caniemail.json --license path/to/LICENSE

Kept per feature: slug, title, category, the caniemail.com page, and for each client
(``family-platform``, e.g. ``outlook-windows``, in the order of the file's ``clients``)
the support of its most recent tested version as one string, the level
(``y``/``a``/``n``/``u``) then the numbers of the notes that apply (``"a1,3"``), plus
those notes.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "2.0.2"
OUT = Path(__file__).resolve().parents[1] / "templating" / "emailhtml" / "data" / "caniemail.json"
#: client families whose platforms are named by the platform alone
_SHORT = {("outlook", "outlook-com"): "outlook-com"}


def client_key(family: str, platform: str) -> str:
    """``outlook`` + ``windows`` -> ``outlook-windows`` (the names users write in config)."""
    return _SHORT.get((family, platform), f"{family}-{platform}")


def _support(value: str) -> str:
    """``"a #1 #3"`` -> ``"a1,3"``: the level letter, then the numbers of its notes."""
    parts = value.split()
    notes = [p[1:] for p in parts[1:] if p.startswith("#") and p[1:].isdigit()]
    return (parts[0] if parts else "u") + ",".join(notes)


def compact(raw: dict, *, version: str, license_text: str) -> dict:
    nice = raw.get("nicenames", {})
    families, platforms = nice.get("family", {}), nice.get("platform", {})
    clients: dict[str, dict] = {}
    features: dict[str, dict] = {}
    for feature in raw["data"]:
        support: dict[str, list] = {}
        for family, by_platform in sorted(feature.get("stats", {}).items()):
            for platform, versions in sorted(by_platform.items()):
                if not versions:
                    continue
                key = client_key(family, platform)
                latest = list(versions)[-1]          # caniemail lists versions oldest first
                support[key] = _support(str(versions[latest]))
                clients.setdefault(key, {
                    "family": family, "platform": platform,
                    "title": f"{families.get(family, family)} "
                             f"({platforms.get(platform, platform)})"})
        features[feature["slug"]] = {
            "title": feature["title"], "category": feature["category"],
            "url": feature.get("url") or "",
            "support": support,
            "notes": {str(k): v for k, v in (feature.get("notes_by_num") or {}).items()},
        }
    order = sorted(clients)
    for item in features.values():    # one string per client, in the order of "clients"
        item["support"] = [item["support"].get(key, "u") for key in order]
    return {
        "source": f"caniemail@{version} (npm), data/caniemail.json",
        "api_version": raw.get("api_version"),
        "last_update_date": raw.get("last_update_date"),
        "license": license_text.strip(),
        "clients": dict(sorted(clients.items())),
        "features": dict(sorted(features.items())),
    }


def fetch(version: str, folder: Path) -> tuple[dict, str]:
    """``npm pack`` the published package into ``folder`` and read its data and license."""
    subprocess.run(["npm", "pack", f"caniemail@{version}", "--silent"], cwd=folder,
                   check=True, stdout=subprocess.DEVNULL)
    archive = next(folder.glob("caniemail-*.tgz"))
    with tarfile.open(archive) as tar:
        data = tar.extractfile("package/data/caniemail.json").read()
        license_text = tar.extractfile("package/LICENSE").read()
    return json.loads(data), license_text.decode("utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=VERSION, help="caniemail npm version")
    parser.add_argument("--from", dest="source", type=Path, help="a caniemail.json to use")
    parser.add_argument("--license", type=Path, help="its LICENSE file (with --from)")
    parser.add_argument("-o", "--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.source:
        if not args.license:
            parser.error("--from needs --license (the notice ships with the data)")
        raw = json.loads(args.source.read_text(encoding="utf-8"))
        license_text = args.license.read_text(encoding="utf-8")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            raw, license_text = fetch(args.version, Path(tmp))
    data = compact(raw, version=args.version, license_text=license_text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"),
                                   sort_keys=False) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(data['features'])} features, {len(data['clients'])} clients, "
          f"data of {data['last_update_date']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
