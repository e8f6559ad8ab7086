#!/usr/bin/env bash
# Runs cpack once on the build and checks both Debian packages (dpkg-deb -c, -f):
#   pricing-engine      /usr/bin/pricing-engine; the config/ examples and the sfdx project as docs;
#                       Depends = the packages owning the libraries the binary loads
#                       (scripts/runtime-packages), nothing else; no SDK file
#   pricing-engine-dev  the SDK's libraries, headers and CMake package; no binary; no internal header
#   deb_test.sh CPACK BUILD_DIR SOURCE_DIR OUT_DIR
set -euo pipefail
cpack=$1 build=$2 source=$3 out=$4
rm -rf "$out"
mkdir -p "$out"
"$cpack" --config "$build/CPackConfig.cmake" -B "$out" >"$out/cpack.log" 2>&1 \
  || { cat "$out/cpack.log" >&2; exit 1; }
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
arch=$(dpkg --print-architecture)
server=$out/pricing-engine_${version}-1_${arch}.deb
sdk=$out/pricing-engine-dev_${version}-1_${arch}.deb

fail=0
problem() { echo "deb_packages: $*" >&2; fail=1; }
for deb in "$server" "$sdk"; do [[ -f $deb ]] || { problem "cpack made no $deb"; ls "$out" >&2; exit 1; }; done

files() { dpkg-deb -c "$1" | awk '{print $6}' | sed 's#^\./#/#'; }
server_files=$(files "$server")
sdk_files=$(files "$sdk")
has() { grep -qxF "$2" <<<"$1"; }

# The server package.
doc=/usr/share/doc/pricing-engine
for f in /usr/bin/pricing-engine $doc/README.md $doc/docs/config.md \
         $doc/examples/config/pricing-rules.example.json $doc/sfdx/sfdx-project.json \
         $doc/sfdx/api-docs.yaml $doc/sfdx/config/project-scratch-def.json; do
  has "$server_files" "$f" || problem "pricing-engine lacks $f"
done
(cd "$source" && find config -type f) | while read -r f; do
  has "$server_files" "$doc/examples/$f" || { echo "deb_packages: pricing-engine lacks $doc/examples/$f" >&2; exit 1; }
done || fail=1
(cd "$source" && find src-org scripts/apex -type f) | while read -r f; do
  has "$server_files" "$doc/sfdx/$f" || { echo "deb_packages: pricing-engine lacks $doc/sfdx/$f" >&2; exit 1; }
done || fail=1
grep -q '^/usr/include/\|^/usr/lib/' <<<"$server_files" && problem "pricing-engine holds SDK files"
[[ $(dpkg-deb -f "$server" Package) == pricing-engine ]] || problem "wrong package name"

# Its dependencies: one per package of a library the binary needs itself (the libraries those
# load come with those packages' own dependencies), under the name dpkg-shlibdeps gives (a package may
# be depended on by a virtual name it provides: libspdlog1.10 provides libspdlog1.10-fmt9).
depends=$(dpkg-deb -f "$server" Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g' | sed '/^$/d')
resolved=$(for d in $depends; do
  if dpkg-query -W -f='${Status}\n' "$d" 2>/dev/null | grep -q 'install ok installed'; then
    echo "$d"
  else
    dpkg-query -W -f='${Package} ${Provides}\n' 2>/dev/null \
      | awk -v want="$d" '{for (i = 2; i <= NF; i++) {p = $i; sub(/,$/, "", p); if (p == want) print $1}}' \
      | head -n1
  fi
done | sort -u)
needed=$("$source/scripts/runtime-packages" --direct "$build/src/pricing-engine")
if [[ $resolved != "$needed" ]]; then
  problem "Depends is not the binary's runtime packages:"
  diff <(echo "$needed") <(echo "$resolved") >&2 || true
fi
[[ $(dpkg-deb -f "$server" Recommends) == *ca-certificates* ]] || problem "no ca-certificates in Recommends"

# The SDK package.
for module in common net salesforce applink pricing quotes; do
  has "$sdk_files" "/usr/lib/pricing-engine/libpe_$module.a" || problem "pricing-engine-dev lacks libpe_$module.a"
done
for f in /usr/lib/cmake/PricingEngine/PricingEngineConfig.cmake \
         /usr/lib/cmake/PricingEngine/PricingEngineConfigVersion.cmake \
         /usr/include/pricing-engine/salesforce/data_api.hpp \
         /usr/share/doc/pricing-engine-dev/sdk.md /usr/share/doc/pricing-engine-dev/examples/CMakeLists.txt; do
  has "$sdk_files" "$f" || problem "pricing-engine-dev lacks $f"
done
grep -q '^/usr/include/pricing-engine/\(devorg\|web\|worker\|demo\|jobs\|events\)/' <<<"$sdk_files" \
  && problem "pricing-engine-dev holds internal headers"
has "$sdk_files" /usr/bin/pricing-engine && problem "pricing-engine-dev holds the binary"
sdk_depends=$(dpkg-deb -f "$sdk" Depends)
for d in libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libssl-dev libhiredis-dev libspdlog-dev libfmt-dev; do
  [[ $sdk_depends == *"$d"* ]] || problem "pricing-engine-dev does not depend on $d"
done

[[ $fail == 0 ]] && echo "deb_packages: $(basename "$server") and $(basename "$sdk") hold what they must; Depends: $(dpkg-deb -f "$server" Depends)"
exit $fail
