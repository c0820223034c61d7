"""Vendor the built GOV.UK Frontend stylesheet into plan_pages/static (run by hand to upgrade).

    python plan_pages/scripts/vendor_govuk_frontend.py 6.6.0

Takes the pinned release from the npm registry (`npm pack`, in a temporary folder) and copies
its built, minified stylesheet, rewritten for a service that is not on GOV.UK:

- the GDS Transport typeface is licensed for GOV.UK only, so its @font-face rules are removed
  and every "GDS Transport, arial, sans-serif" stack becomes "arial, sans-serif", as the Design
  System tells services outside GOV.UK to do; the font files are not copied;
- the crown, the crest and the GOV.UK icons are not copied either (our pages use the generic
  header with the service's name, and no copyright crest).

Nothing here runs at install or run time: the output is committed.
"""

import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "static" / "plan_pages" / "govuk-frontend"

# The package ships no licence file; its package.json says MIT and its README says whose.
LICENCE = """\
GOV.UK Frontend {version}, from the npm package govuk-frontend (package.json: "license": "MIT").
Its README: "Unless stated otherwise, the codebase is released under the MIT License."
The GDS Transport font and the crown/crest images in the package are NOT included here.

The MIT License (MIT)

Copyright (c) 2018 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def without_gov_uk_only_font(css: str) -> str:
    css = re.sub(r"/\*![^*]*GDS[^*]*\*/", "", css)
    css = re.sub(r"/\*![^*]*gov\.uk[^*]*\*/", "", css)
    css = re.sub(r"@font-face\{font-family:GDS Transport;[^}]*\}", "", css)
    css = css.replace("GDS Transport,arial,sans-serif", "arial,sans-serif")
    if "GDS Transport" in css:
        raise SystemExit("The stylesheet still names GDS Transport: update this script.")
    return css


def main(version: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"govuk-frontend@{version}", "--silent"], cwd=tmp, check=True
        )
        with tarfile.open(Path(tmp) / f"govuk-frontend-{version}.tgz") as archive:
            archive.extractall(tmp, filter="data")
        package = Path(tmp) / "package"
        meta = json.loads((package / "package.json").read_text())
        if meta["version"] != version or meta["license"] != "MIT":
            raise SystemExit(f"Unexpected package: {meta['version']} {meta['license']}")
        css = (package / "dist" / "govuk" / "govuk-frontend.min.css").read_text()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "govuk-frontend.min.css").write_text(without_gov_uk_only_font(css))
    (OUT / "LICENCE.txt").write_text(LICENCE.format(version=version))
    (OUT / "VERSION").write_text(f"{version}\n")
    print(f"GOV.UK Frontend {version} stylesheet written to {OUT}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("Usage: vendor_govuk_frontend.py VERSION (for example 6.6.0)")
    main(sys.argv[1])
