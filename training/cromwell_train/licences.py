"""Licence of a file or a source tree, as an SPDX identifier, from the licence text itself.

A file's own `SPDX-License-Identifier:` line wins; then a recognisable licence header in its
first lines; otherwise the tree's LICENSE/COPYING file decides; "unknown" when nothing matches.
"""

import re
from typing import Dict, Optional

SPDX_LINE = re.compile(r"SPDX-License-Identifier:\s*([A-Za-z0-9.+\-() ]+?)\s*(?:\*/|-->|$)", re.MULTILINE)

# (SPDX id, a phrase that only that licence's text contains), most specific first.
SIGNATURES = [
    ("GPL-2.0-only WITH Classpath-exception-2.0", re.compile(r"GNU General Public License version 2 only.*?\"?Classpath\"? exception", re.S | re.I)),
    ("Apache-2.0", re.compile(r"Apache License,?\s+Version 2\.0", re.I)),
    ("MIT", re.compile(r"Permission is hereby granted, free of charge, to any person obtaining a copy", re.I)),
    ("BSD-3-Clause", re.compile(r"Neither the name of .{0,120}? nor the names of (?:its|their) contributors", re.S | re.I)),
    ("BSD-2-Clause", re.compile(r"Redistributions in binary form must reproduce the above copyright notice", re.I)),
    ("PSF-2.0", re.compile(r"PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2", re.I)),
    ("MPL-2.0", re.compile(r"Mozilla Public License,?\s+(?:v\.|version)\s*2\.0", re.I)),
    ("LGPL-2.1", re.compile(r"GNU Lesser General Public License.{0,80}version 2\.1", re.S | re.I)),
    ("LGPL-3.0", re.compile(r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3", re.I)),
    ("GPL-3.0", re.compile(r"GNU GENERAL PUBLIC LICENSE\s+Version 3", re.I)),
    ("GPL-2.0", re.compile(r"GNU GENERAL PUBLIC LICENSE\s+Version 2", re.I)),
    ("Unlicense", re.compile(r"This is free and unencumbered software released into the public domain", re.I)),
]


def detect_text(text: str) -> Optional[str]:
    for spdx, pattern in SIGNATURES:
        if pattern.search(text):
            return spdx
    return None


def detect_file_licence(text: str) -> Optional[str]:
    head = text[:3000]
    m = SPDX_LINE.search(head)
    if m:
        return m.group(1).strip()
    return detect_text(head)


def detect_tree_licence(files: Dict[str, bytes]) -> str:
    for name in sorted(files):
        text = files[name].decode("utf-8", "replace")
        found = detect_file_licence(text) or detect_text(text)
        if found:
            return found
    return "unknown"
