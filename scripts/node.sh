# node.sh is sourced by the scripts that need Node.js: need_node WHO makes
# sure node and npm are there, in a version of 18.17 or later (Debian 12's
# own packages), installing them from the distribution's packages when they
# are missing and the script runs as root. WHO prefixes its messages.
need_node() {
	local who="$1"
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
			echo "$who: needs Node.js (18.17 or later) and npm; install them" >&2
			return 1
		fi
		echo "$who: installing nodejs and npm from the distribution's packages…"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
	fi
	if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 18 || (a === 18 && b >= 17) ? 0 : 1)'; then
		echo "$who: needs Node.js 18.17 or later (Debian 12's own), this is $(node --version)" >&2
		return 1
	fi
}
