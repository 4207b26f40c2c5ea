# debian-packages.sh is sourced by the scripts that make sure Debian
# packages are on this machine (chromium.sh, sales-packages.sh,
# integration-packages.sh, images.sh); it defines need_packages.

# need_packages WHO WHY PACKAGE... returns 0 when every PACKAGE is
# installed, or when we run as root with apt-get and it installed the
# missing ones from the distribution's packages; otherwise it says on
# stderr, as WHO, which to install and WHY, and returns 1.
need_packages() {
	local who=$1 why=$2 p
	shift 2
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		echo "$who: missing Debian packages ${missing[*]}: install them ($why)" >&2
		return 1
	fi
	echo "$who: installing ${missing[*]} from the distribution's packages"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
