/* target_key.c — scan target keys (target_key.h): comparing and
 * formatting them.  Addresses: RFC 791, RFC 4291 (text form through
 * inet_ntop, RFC 5952 for IPv6).
 */
#include "analyzer/scan/target_key.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

int target_key_cmp(const struct target_key *a, const struct target_key *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->addr, b->addr, 16);
	if (c)
		return c < 0 ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->extra != b->extra)
		return a->extra < b->extra ? -1 : 1;
	if (a->aux != b->aux)
		return a->aux < b->aux ? -1 : 1;
	return 0;
}

void target_addr_format(uint8_t family, const uint8_t *addr, char *buf, size_t buflen)
{
	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf, (socklen_t)buflen) && buflen)
		buf[0] = '\0';
}
