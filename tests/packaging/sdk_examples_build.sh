#!/usr/bin/env bash
# Builds, each as its own CMake project against the installed prefix only (CMAKE_PREFIX_PATH,
# no path into this tree): examples/, and every ```cpp example of docs/sdk.md, gathered into one
# file (includes first, each example in its own namespace) so that they cost one compilation.
#   sdk_examples_build.sh CMAKE SOURCE_DIR SDK_DIR CXX CXXFLAGS [LAUNCHER]
set -euo pipefail
cmake=$1 source=$2 sdk=$3 cxx=$4 flags=$5 launcher=${6:-}
prefix=$sdk/prefix
common=(-G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$flags"
        -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
[[ -n $launcher ]] && common+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")

rm -rf "$sdk/examples" "$sdk/docs"
"$cmake" -S "$source/examples" -B "$sdk/examples" "${common[@]}" >/dev/null
found=$(sed -n 's/^PricingEngine_DIR:PATH=//p' "$sdk/examples/CMakeCache.txt")
if [[ $found != "$prefix/lib/cmake/PricingEngine" ]]; then
  echo "sdk_examples_build: examples/ found PricingEngine in '$found', not in $prefix" >&2
  exit 1
fi

# docs/sdk.md's examples.
mkdir -p "$sdk/docs"
python3 - "$source/docs/sdk.md" "$sdk/docs/sdk_examples.cpp" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"^```cpp\n(.*?)^```", text, re.S | re.M)
if len(blocks) < 8:
    sys.exit(f"sdk_examples_build: only {len(blocks)} ```cpp examples in docs/sdk.md")
includes, bodies = [], []
for n, block in enumerate(blocks, 1):
    lines = block.splitlines()
    includes += [l for l in lines if l.startswith("#include")]
    rest = "\n".join(l for l in lines if not l.startswith("#include"))
    bodies.append(f"// docs/sdk.md, example {n}\nnamespace example_{n} {{\n{rest}\n}}  // namespace example_{n}\n")
with open(sys.argv[2], "w") as out:
    out.write("// Generated from docs/sdk.md by tests/packaging/sdk_examples_build.sh\n")
    out.write("\n".join(dict.fromkeys(includes)) + "\n\n")
    out.write("namespace asio = boost::asio;\nnamespace json = boost::json;\n\n")
    out.write("\n".join(bodies))
    out.write("\nint main() {}\n")
print(f"sdk_examples_build: {len(blocks)} examples from docs/sdk.md")
PY
cat > "$sdk/docs/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.25)
project(sdk-doc-examples LANGUAGES CXX)
find_package(PricingEngine 0.1 CONFIG REQUIRED COMPONENTS common net salesforce applink pricing quotes)
add_executable(sdk_doc_examples sdk_examples.cpp)
target_link_libraries(sdk_doc_examples PRIVATE PricingEngine::applink PricingEngine::quotes)
CM
"$cmake" -S "$sdk/docs" -B "$sdk/docs/build" "${common[@]}" >/dev/null
"$cmake" --build "$sdk/examples"
"$cmake" --build "$sdk/docs/build"
# A version the package must refuse (0.x: minor versions are not compatible).
mkdir -p "$sdk/refuse"
printf 'cmake_minimum_required(VERSION 3.25)\nproject(refuse LANGUAGES CXX)\nfind_package(PricingEngine 0.2 CONFIG)\nif(PricingEngine_FOUND)\n  message(FATAL_ERROR "0.2 accepted")\nendif()\n' \
  > "$sdk/refuse/CMakeLists.txt"
"$cmake" -S "$sdk/refuse" -B "$sdk/refuse/build" "${common[@]}" >/dev/null
echo "sdk_examples_build: examples/ and docs/sdk.md built against $prefix"
