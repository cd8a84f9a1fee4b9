#!/bin/sh
# install-deps.sh — installs the Debian 12 packages mpcap needs to build, test and demo.
# Run by `make demo` and `make check`.  As root it installs what is missing with
# apt-get; as another user it lists what is missing and fails.
set -eu
PKGS="gcc make pkg-config libpcap-dev libcsv-dev libgsl-dev libcairo2-dev libcriterion-dev
zlib1g-dev libzstd-dev liblzma-dev libbz2-dev libroaring-dev libmaxminddb-dev libjansson-dev libssl-dev
tshark tcpdump iproute2 iptables fonts-dejavu-core python3 python3-scipy python3-pandas
gzip xz-utils zstd bzip2 clang-format procps
clang libclang-rt-14-dev
libmaxmind-db-writer-perl mmdb-bin chromium iso-codes"
# speed and scale: GNU parallel (docs/scale.md, tests/e2e/merge.sh), GNU time and perf
# (make bench: its per-stage table, tests/bench/stages.sh)
PKGS="$PKGS parallel time linux-perf"
# many machines, on the real engines (docs/scale.md, tests/live/test-scale-*.sh):
# a throw-away one-node Slurm cluster, and sshd in a namespace for parallel --sshlogin
PKGS="$PKGS slurmctld slurmd slurm-client munge openssh-server openssh-client rsync"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing Debian packages:$missing" >&2
	echo "install-deps: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
