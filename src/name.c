/* Thread names: the part that is the same everywhere, cutting a UTF-8 name
 * to what the platform keeps, over thread__{set,get}_name_os in
 * thread_posix.c / thread_win.c. */
#include "thread_impl.h"

#include <string.h>

/* The longest platform limit in thread_posix.c / thread_win.c. */
#define NAME_BUF 256

/* The length of the longest prefix of s (of length n) that is at most max
 * bytes and does not end inside a UTF-8 character: back up over
 * continuation bytes (10xxxxxx) that follow the cut. */
size_t thread__utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

int thread_set_name(const char *name)
{
	char buf[NAME_BUF];
	size_t max = thread__name_max(), n;
	if (!name)
		return THREAD_EINVAL;
	if (max == 0)
		return THREAD_ENOSYS;
	if (max >= NAME_BUF)
		max = NAME_BUF - 1;
	n = thread__utf8_cut(name, strlen(name), max);
	memcpy(buf, name, n);
	buf[n] = '\0';
	return thread__set_name_os(buf);
}

int thread_get_name(char *buf, size_t size)
{
	char full[NAME_BUF];
	size_t n;
	int rc;
	if (!buf || size == 0)
		return THREAD_EINVAL;
	if (thread__name_max() == 0)
		return THREAD_ENOSYS;
	rc = thread__get_name_os(full, sizeof full);
	if (rc != 0)
		return rc;
	full[NAME_BUF - 1] = '\0';
	n = thread__utf8_cut(full, strlen(full), size - 1);
	memcpy(buf, full, n);
	buf[n] = '\0';
	return 0;
}
