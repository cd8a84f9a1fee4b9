/* text.c — parsing and formatting of the small text values every CSV holds:
 * 64-bit keys as 16 hex digits, capture times as seconds.nanoseconds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/text.h"

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

bool parse_key(const char *s, uint64_t *out)
{
	return strlen(s) == 16 && strspn(s, "0123456789abcdef") == 16 && parse_hex64(s, out);
}

void format_key(uint64_t key, char buf[17])
{
	snprintf(buf, 17, "%016llx", (unsigned long long)key);
}

void format_time(int64_t sec, uint32_t nsec, char *buf, size_t n)
{
	snprintf(buf, n, "%lld.%09u", (long long)sec, nsec);
}

bool parse_mem_size(const char *s, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || v == 0)
		return false;
	int shift = 0;
	switch (*end) {
	case 'K':
	case 'k':
		shift = 10;
		end++;
		break;
	case 'M':
	case 'm':
		shift = 20;
		end++;
		break;
	case 'G':
	case 'g':
		shift = 30;
		end++;
		break;
	default:
		break;
	}
	if (shift && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
		end += strlen(end);
	if (*end != '\0' || v > (UINT64_C(1) << (62 - shift)))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}
