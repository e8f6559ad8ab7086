#!/usr/bin/env bash
# cmake --install of the build into a fresh prefix, then what the prefix must and must not hold:
# the SDK's libraries, its public headers (every header they include among them), the CMake
# package with its version file; no internal module's headers.
#   sdk_install.sh CMAKE BUILD_DIR PREFIX
set -euo pipefail
cmake=$1 build=$2 prefix=$3
rm -rf "$prefix"
"$cmake" --install "$build" --prefix "$prefix" >/dev/null

fail=0
problem() { echo "sdk_install: $*" >&2; fail=1; }

cmakedir=$prefix/lib/cmake/PricingEngine
for f in PricingEngineConfig.cmake PricingEngineConfigVersion.cmake PricingEngineTargets.cmake; do
  [[ -f $cmakedir/$f ]] || problem "missing $cmakedir/$f"
done
for module in common net salesforce applink pricing quotes; do
  [[ -f $prefix/lib/pricing-engine/libpe_$module.a ]] || problem "missing libpe_$module.a"
  grep -q "add_library(PricingEngine::$module STATIC IMPORTED)" "$cmakedir/PricingEngineTargets.cmake" \
    || problem "no imported target PricingEngine::$module"
done
for header in salesforce/data_api.hpp salesforce/unit_of_work.hpp salesforce/bulk_api.hpp \
              applink/applink.hpp applink/invocation.hpp common/money.hpp pricing/pricing_engine.hpp \
              quotes/quote_records.hpp net/http_client.hpp net/retry_policy.hpp; do
  [[ -f $prefix/include/pricing-engine/$header ]] || problem "missing header $header"
done
# Internal: the process roles, their job queue and events, the local org, the subcommands.
for internal in devorg web worker demo jobs events; do
  [[ ! -e $prefix/include/pricing-engine/$internal ]] || problem "internal headers installed: $internal/"
  [[ ! -e $prefix/lib/pricing-engine/libpe_$internal.a ]] || problem "internal library installed: $internal"
done
if compgen -G "$prefix/include/pricing-engine/*/*_command.hpp" >/dev/null; then
  problem "a subcommand's header was installed"
fi
# Every header an installed header includes is installed too.
while IFS= read -r -d '' header; do
  while IFS= read -r included; do
    [[ -f $prefix/include/pricing-engine/$included ]] \
      || problem "${header#$prefix/include/pricing-engine/} includes $included, which is not installed"
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$header")
done < <(find "$prefix/include/pricing-engine" -name '*.hpp' -print0)
# The version file answers 0.1 and refuses 0.2 and 1.0 (SameMinorVersion).
version=$(sed -n 's/^set(PACKAGE_VERSION "\(.*\)")$/\1/p' "$cmakedir/PricingEngineConfigVersion.cmake")
[[ $version == 0.1.* ]] || problem "package version is '$version', expected 0.1.x"
[[ -x $prefix/bin/pricing-engine ]] || problem "missing bin/pricing-engine"

[[ $fail == 0 ]] && echo "sdk_install: $prefix holds the SDK $version and nothing internal"
exit $fail
