/* cli_util.c — small formatting and parsing helpers shared by the subcommands. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "packet.h"

bool parse_hex64(const char *s, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (strlen(s) != 16)
		return false;
	uint64_t v = 0;
	for (int i = 0; i < 16; i++) {
		char c = s[i];
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

void format_key(uint64_t key, char buf[17])
{
	snprintf(buf, 17, "%016llx", (unsigned long long)key);
}

void format_time(int64_t sec, uint32_t nsec, char *buf, size_t n)
{
	snprintf(buf, n, "%lld.%09u", (long long)sec, nsec);
}

void format_mpc_anomalies(uint32_t bits, char *buf, size_t n)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ MPC_ANOM_LENGTH_UNKNOWN, "length-unknown" },
		{ MPC_ANOM_LENGTH_SEGMENT, "length-segment" },
		{ MPC_ANOM_VERSION_LENGTH, "version-length" },
	};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(bits & names[i].bit))
			continue;
		int w = snprintf(buf + used, n - used, "%s%s", used ? ";" : "", names[i].name);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}

int ensure_dir(const char *dir, char *err, size_t errlen)
{
	/* mkdir -p: create each missing component in turn */
	char path[4096];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	for (char *p = path + 1;; p++) {
		bool last = *p == '\0';
		if (*p == '/' || last) {
			char saved = *p;
			*p = '\0';
			struct stat st;
			if (stat(path, &st) == 0) {
				if (!S_ISDIR(st.st_mode)) {
					snprintf(err, errlen, "%s: exists and is not a directory", path);
					return -1;
				}
			} else if (mkdir(path, 0755) != 0 && errno != EEXIST) {
				snprintf(err, errlen, "%s: cannot create directory: %s", path,
				         strerror(errno));
				return -1;
			}
			*p = saved;
			if (last)
				break;
		}
	}
	return 0;
}
