#!/usr/bin/env python3
"""Embeds api-docs.yaml in the binary: its text (served by web) and the same document as JSON
(what the router, the request validator and the local org read). Run by CMake at build time:
  embed_api_document.py api-docs.yaml out.cpp
The YAML is parsed strictly (PyYAML's safe loader); an unreadable document fails the build."""
import json
import sys

import yaml

source, output = sys.argv[1], sys.argv[2]
with open(source, encoding="utf-8") as f:
    text = f.read()
document = yaml.safe_load(text)
if not isinstance(document, dict) or "paths" not in document:
    sys.exit(f"{source}: not an OpenAPI document (no paths)")
compact = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
delimiter = "pe_api_doc"
for part in (text, compact):
    if f"){delimiter}\"" in part:
        sys.exit(f"{source}: contains the raw string delimiter")


def chunks(s, size=4000):
    # MSVC-era limits do not apply to GCC, but long literals are kept in pieces anyway.
    return [s[i:i + size] for i in range(0, len(s), size)] or [""]


def literal(s):
    return "\n".join(f'R"{delimiter}({c}){delimiter}"' for c in chunks(s))


with open(output, "w", encoding="utf-8") as out:
    out.write("// Generated from api-docs.yaml by cmake/embed_api_document.py. Do not edit.\n")
    out.write('#include <string_view>\n\nnamespace pe::applink::detail {\n')
    out.write(f"extern const std::string_view kApiDocumentYaml = {literal(text)};\n")
    out.write(f"extern const std::string_view kApiDocumentJson = {literal(compact)};\n")
    out.write("}  // namespace pe::applink::detail\n")
