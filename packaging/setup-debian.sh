#!/usr/bin/env bash
# Installs every Debian package CoTLab's build and tests need (when missing) and builds it into build/.
# Usage: packaging/setup-debian.sh            (as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-base-dev-tools libgl-dev libqcustomplot-dev
    libtorch-dev libopenblas0-pthread   # without OpenBLAS, libtorch uses the reference BLAS: ~25x slower on CPU
    libgloo-dev   # torch.distributed's Gloo backend: data-parallel training over several processes
    lld clang-format   # lld: links ~6x faster than ld.bfd; clang-format: .ci/run checks the formatting
    clang libclang-rt-14-dev   # the sanitizer and fuzz build (tests/run-sanitized.sh, docs/robustness.md)
    libsqlite3-dev nlohmann-json3-dev libsimdjson-dev libcli11-dev libpcre2-dev
    libxlsxwriter-dev libminizip-dev libexpat1-dev libcurl4-openssl-dev libcpp-httplib-dev libsentencepiece-dev
    libutf8proc-dev   # Unicode NFC, as Qwen2's tokenizer.json asks
    libreoffice-calc-nogui   # tests: exported XLSX converted to CSV by LibreOffice headless
    appstream   # tests: appstreamcli validates the package's AppStream metadata
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    echo "Installing: ${missing[*]}"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
