# Sourced by the packaging checks and tests/run_platform.sh.  need PACKAGE...: install those of the
# Debian packages that are missing (CI runs as root on a clean machine).
need() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp)
	if ! { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; } \
		>"$log" 2>&1; then
		cat "$log"
		rm -f "$log"
		echo "could not install$missing"
		return 1
	fi
	rm -f "$log"
}
